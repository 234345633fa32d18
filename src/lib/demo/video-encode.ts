/**
 * H.264 encoding of RGBA frames into an mp4, in Node, with h264-mp4-encoder (minih264 + mp4v2 compiled to wasm; a
 * devDependency: only the demo generator and the fixture generator use it). Deterministic: same frames → same bytes
 * (the muxer's wall-clock stamps are zeroed, see video-mp4.ts). The muxer also omits the keyframe table, which
 * browsers need to seek to P-frames; it is added after muxing.
 */
import { addSyncSampleTable, zeroMp4Times } from './video-mp4.ts';

/** Encoder settings of the demo's videos. */
export interface VideoSettings {
  width: number;
  height: number;
  fps: number;
  /**
   * Quantisation parameter, 10 (best) … 51 (smallest). The demo uses 40: its 143k frames take about 4.3 MB (5.4 MB
   * at 38); at 42 they would take 3.4 MB, but colours smear into 16-pixel blocks.
   */
  qp: number;
  /** Frames between keyframes. Seeking decodes from the previous keyframe; at 96×96 even 300 frames decode at once. */
  gop: number;
}

/** Default settings of the demo camera (see {@link VideoSettings}). */
export const DEMO_VIDEO: Omit<VideoSettings, 'width' | 'height' | 'fps'> = { qp: 40, gop: 300 };

interface Encoder {
  width: number;
  height: number;
  frameRate: number;
  quantizationParameter: number;
  groupOfPictures: number;
  speed: number;
  outputFilename: string;
  initialize(): void;
  addFrameRgba(buffer: Uint8Array): void;
  finalize(): void;
  delete(): void;
  FS: { readFile(path: string): Uint8Array; unlink(path: string): void };
}

let loading: Promise<() => Promise<Encoder>> | null = null;

/** The encoder factory, loaded once (its wasm compiles on first use). */
function encoderFactory(): Promise<() => Promise<Encoder>> {
  loading ??= import('h264-mp4-encoder').then((m) => {
    // A webpack UMD bundle: Node's CommonJS interop may expose it as the default export only.
    const mod = m as unknown as { createH264MP4Encoder?: () => Promise<Encoder>; default?: { createH264MP4Encoder: () => Promise<Encoder> } };
    const create = mod.createH264MP4Encoder ?? mod.default?.createH264MP4Encoder;
    if (!create) throw new Error('h264-mp4-encoder has no createH264MP4Encoder export');
    return create;
  });
  return loading;
}

let serial = 0;

/** One mp4 being written: add frames in order, then {@link VideoWriter.finish}. */
export class VideoWriter {
  readonly #enc: Encoder;
  #frames = 0;

  private constructor(enc: Encoder) {
    this.#enc = enc;
  }

  /** Starts an mp4 with these settings. */
  static async open(s: VideoSettings): Promise<VideoWriter> {
    const enc = await (await encoderFactory())();
    enc.width = s.width;
    enc.height = s.height;
    enc.frameRate = s.fps;
    enc.quantizationParameter = s.qp;
    enc.groupOfPictures = s.gop;
    // Fastest preset: the demo has 143k frames, and quality differences at 96×96 flat colours are invisible.
    enc.speed = 10;
    // The wasm file system is shared by every encoder instance: one name per video.
    enc.outputFilename = `flywheel-${serial++}.mp4`;
    enc.initialize();
    return new VideoWriter(enc);
  }

  /** Frames added so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Adds one RGBA frame (width × height × 4 bytes; alpha ignored). */
  add(rgba: Uint8Array): void {
    this.#enc.addFrameRgba(rgba);
    this.#frames++;
  }

  /** Finishes the file and returns its bytes (muxer time stamps zeroed, keyframes listed: see video-mp4.ts). */
  finish(): Uint8Array {
    const enc = this.#enc;
    try {
      enc.finalize();
      const bytes = enc.FS.readFile(enc.outputFilename).slice();
      enc.FS.unlink(enc.outputFilename);
      return addSyncSampleTable(zeroMp4Times(bytes));
    } finally {
      enc.delete();
    }
  }
}
