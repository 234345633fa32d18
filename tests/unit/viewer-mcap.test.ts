/** The viewer's MCAP camera helpers: which topics are images, the query for a moment, raw pixels to RGBA. */
import { describe, expect, it } from 'vitest';
import { imageAtSql, imageTopics, logTimeAt, rgbaFromRaw } from '../../src/lib/viewer';

describe('MCAP camera topics in the viewer', () => {
  it('finds ROS 1, ROS 2 and Foxglove image topics, decoded without error', () => {
    const t = (topic: string, schema: string | null, error: string | null = null) => ({ topic, table: topic.slice(1).replaceAll('/', '_'), schema, error });
    const topics = [t('/cam/raw', 'sensor_msgs/msg/Image'), t('/cam/jpeg', 'sensor_msgs/CompressedImage'), t('/fg', 'foxglove.RawImage'), t('/imu', 'sensor_msgs/msg/Imu'), t('/bad', 'sensor_msgs/msg/Image', 'no decoder')];
    expect(imageTopics(topics).map((x) => x.topic)).toEqual(['/cam/raw', '/cam/jpeg', '/fg']);
  });

  it('asks for the latest message at or before the moment, in the episode\'s file', () => {
    expect(logTimeAt(1_000_000_000n, 1.5)).toBe(2_500_000_000n);
    expect(imageAtSql('camera_image_raw', "a'b.mcap", 2_500_000_000n)).toBe(`SELECT * FROM "camera_image_raw" WHERE mcap_file = 'a''b.mcap' AND log_time <= 2500000000 ORDER BY log_time DESC LIMIT 1`);
  });

  it('turns rgb8, bgr8 and mono8 rows (with padding) into RGBA, and refuses what it cannot draw', () => {
    // 2×2 rgb8 with a 1-byte row pad (step 7).
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12, 0]);
    expect(Array.from(rgbaFromRaw(rgb, 'rgb8', 2, 2, 7)!)).toEqual([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255]);
    expect(Array.from(rgbaFromRaw(rgb, 'bgr8', 2, 2, 7)!.slice(0, 4))).toEqual([3, 2, 1, 255]);
    expect(Array.from(rgbaFromRaw(Uint8Array.from([9, 200]), 'mono8', 2, 1, 2)!)).toEqual([9, 9, 9, 255, 200, 200, 200, 255]);
    expect(rgbaFromRaw(rgb, '16UC1', 2, 2, 7)).toBeNull();
    expect(rgbaFromRaw(Uint8Array.from([1, 2]), 'rgb8', 2, 2, 6)).toBeNull();
  });
});
