/**
 * The demo's synthetic top-down camera: one RGBA frame per recorded frame, drawn from the episode's conditions
 * (object, where it lies, lighting) and its rendered `observation.state` (arm pose, gripper width). Pure.
 *
 * Not a physical renderer: the gripper's position in the plane is a smooth map of the joint angles that is exact
 * over a grasp (see {@link gripperPlane}), the object sits in the bin until the script says the hand holds it, then
 * moves with the hand, and stays where the hand let it go. That is enough to *see* the failures the signals encode:
 * a missed grasp closes the fingers beside the object, a collision stalls the hand at the bin wall, a drop leaves
 * the object between bin and tray, a placement error puts it beside the tray.
 *
 * Flat colours only (no gradients or noise): H.264 then spends almost nothing on still regions, which keeps the
 * demo's videos small. Only + − × ÷ are used for geometry (as in poses.ts) so every engine draws the same pixels.
 */
import { BIN, type Conditions, type Lighting, type ObjectType } from './conditions.ts';
import { TRAY_ABOVE } from './poses.ts';
import type { MotionScript } from './script.ts';
import { DIM } from './trajectory.ts';

/** Width and height of the demo camera, pixels (H.264 wants multiples of 16 for whole macroblocks). */
export const SCENE_SIZE = 96;

/** World window of the camera, metres in the robot base frame: x forward (image up), y left (image left). */
const VIEW = { xMin: -0.08, xMax: 0.84, yMin: -0.68, yMax: 0.24 } as const;

type Rgb = readonly [number, number, number];

const PALETTE: Readonly<Record<Lighting, { table: Rgb; wall: Rgb; floor: Rgb; tray: Rgb; arm: Rgb; finger: Rgb; base: Rgb }>> = {
  bright: { table: [214, 208, 196], wall: [120, 94, 70], floor: [176, 160, 138], tray: [92, 130, 170], arm: [70, 74, 82], finger: [30, 30, 34], base: [50, 52, 58] },
  dim: { table: [120, 116, 110], wall: [66, 52, 40], floor: [98, 90, 78], tray: [52, 74, 98], arm: [40, 42, 48], finger: [16, 16, 18], base: [30, 30, 34] },
  // A window behind the cell: the far edge of the image is washed out.
  backlit: { table: [200, 196, 188], wall: [110, 88, 66], floor: [166, 152, 132], tray: [86, 122, 160], arm: [62, 66, 74], finger: [26, 26, 30], base: [46, 48, 54] },
};

const OBJECT_COLOR: Readonly<Record<ObjectType, Rgb>> = {
  cube: [206, 60, 44],
  cylinder: [40, 140, 80],
  mug: [236, 190, 40],
  pouch: [150, 70, 170],
  // Nearly the floor's colour: a transparent bottle is hard to see, which is why the policy struggles with it.
  transparent_bottle: [196, 196, 200],
  sphere: [30, 110, 210],
};

/** Half-extents (m) of each object as seen from above: a box, or a disc when `round`. */
const OBJECT_SHAPE: Readonly<Record<ObjectType, { a: number; b: number; round: boolean }>> = {
  cube: { a: 0.025, b: 0.025, round: false },
  cylinder: { a: 0.03, b: 0.03, round: true },
  mug: { a: 0.033, b: 0.033, round: true },
  pouch: { a: 0.045, b: 0.014, round: false },
  transparent_bottle: { a: 0.06, b: 0.032, round: false },
  sphere: { a: 0.0275, b: 0.0275, round: true },
};

/** cos and sin from arithmetic only (Math.cos's last bits vary by engine; pixels must not). Error < 1e-6 on [-π, π]. */
export function cosSin(theta: number): [number, number] {
  const TWO_PI = 6.283185307179586;
  const t = theta - TWO_PI * Math.round(theta / TWO_PI);
  const t2 = t * t;
  // Taylor series to t^12 / t^13: enough on [-π, π] for pixel positions.
  let c = 1;
  let s = t;
  let termC = 1;
  let termS = t;
  for (let k = 1; k <= 6; k++) {
    termC *= -t2 / ((2 * k - 1) * (2 * k));
    termS *= -t2 / ((2 * k) * (2 * k + 1));
    c += termC;
    s += termS;
  }
  return [c, s];
}

/**
 * Where the hand is over the table, from the joint angles: base yaw q1 gives the direction, shoulder q2 the reach.
 * At a grasp pose (lift 0) this is exactly the object's position (poses.ts: q1 = atan(y/x), q2 = −0.22 + 1.1·(r − 0.5)).
 */
export function gripperPlane(q: ArrayLike<number>, offset = 0): { x: number; y: number; yaw: number } {
  const q1 = q[offset];
  // poses.ts aims the base with atan(z) ≈ z / (1 + 0.28 z²), within 0.005 rad of atan: q1 is the direction.
  const reach = 0.5 + (q[offset + 1] + 0.22) / 1.1;
  const [c, s] = cosSin(q1);
  // The wrist turns to the grasp yaw: q7 = 0.785 + q1 − graspYaw.
  const yaw = 0.785 + q1 - q[offset + 6];
  return { x: reach * c, y: reach * s, yaw };
}

/** The tray's centre on the table (where the hand is above the tray). */
export const TRAY_CENTRE = gripperPlane(TRAY_ABOVE);

/** One camera frame of an episode, written into `out` (RGBA, {@link SCENE_SIZE}² pixels). */
export interface SceneFrame {
  /** Hand position and gripper opening (m). */
  hand: { x: number; y: number; yaw: number; width: number };
  /** Object centre and yaw (radians). */
  object: { x: number; y: number; yaw: number };
}

/** Pixel column/row of a world point (fractional). */
function toPixel(x: number, y: number): [number, number] {
  const s = SCENE_SIZE;
  return [((VIEW.yMax - y) / (VIEW.yMax - VIEW.yMin)) * s, ((VIEW.xMax - x) / (VIEW.xMax - VIEW.xMin)) * s];
}

const PX_PER_M = SCENE_SIZE / (VIEW.xMax - VIEW.xMin);

/**
 * Fills the pixels inside an oriented box (or ellipse when `round`) centred at world (x, y) with half-extents a
 * (along yaw) and b (across), in metres.
 */
function fillShape(out: Uint8Array, x: number, y: number, yaw: number, a: number, b: number, round: boolean, rgb: Rgb): void {
  const [cx, cy] = toPixel(x, y);
  const r = Math.max(a, b) * PX_PER_M + 1;
  const [c, s] = cosSin(yaw);
  const ap = a * PX_PER_M;
  const bp = b * PX_PER_M;
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(SCENE_SIZE - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(SCENE_SIZE - 1, Math.ceil(cy + r));
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      // Pixel centre in the image's frame (right, down) → world directions: image up = +x, image left = +y.
      const dxw = -(py + 0.5 - cy);
      const dyw = -(px + 0.5 - cx);
      const u = dxw * c + dyw * s;
      const v = -dxw * s + dyw * c;
      const inside = round ? (u * u) / (ap * ap) + (v * v) / (bp * bp) <= 1 : Math.abs(u) <= ap && Math.abs(v) <= bp;
      if (!inside) continue;
      const o = (py * SCENE_SIZE + px) * 4;
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
    }
  }
}

/** A straight segment of the given width (m), as an oriented box. */
function fillSegment(out: Uint8Array, x0: number, y0: number, x1: number, y1: number, halfWidth: number, rgb: Rgb): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.sqrt(dx * dx + dy * dy);
  if (len < 1e-6) return;
  // The direction's cos and sin come straight from (dx, dy): no atan2 needed.
  const [cx, cy] = toPixel((x0 + x1) / 2, (y0 + y1) / 2);
  const c = dx / len;
  const s = dy / len;
  const ap = (len / 2) * PX_PER_M;
  const bp = halfWidth * PX_PER_M;
  const r = ap + bp + 1;
  for (let py = Math.max(0, Math.floor(cy - r)); py <= Math.min(SCENE_SIZE - 1, Math.ceil(cy + r)); py++) {
    for (let px = Math.max(0, Math.floor(cx - r)); px <= Math.min(SCENE_SIZE - 1, Math.ceil(cx + r)); px++) {
      const dxw = -(py + 0.5 - cy);
      const dyw = -(px + 0.5 - cx);
      const u = dxw * c + dyw * s;
      const v = -dxw * s + dyw * c;
      if (Math.abs(u) > ap || Math.abs(v) > bp) continue;
      const o = (py * SCENE_SIZE + px) * 4;
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
    }
  }
}

/** The still part of every frame of an episode (table, bin, tray, robot base), drawn once per episode. */
export function drawBackground(lighting: Lighting): Uint8Array {
  const p = PALETTE[lighting];
  const out = new Uint8Array(SCENE_SIZE * SCENE_SIZE * 4);
  for (let i = 0; i < SCENE_SIZE * SCENE_SIZE; i++) {
    out[i * 4] = p.table[0];
    out[i * 4 + 1] = p.table[1];
    out[i * 4 + 2] = p.table[2];
    out[i * 4 + 3] = 255;
  }
  if (lighting === 'backlit') {
    for (let i = 0; i < SCENE_SIZE * 10; i++) out.fill(250, i * 4, i * 4 + 3);
  }
  const wall = 0.012;
  const bx = (BIN.xMin + BIN.xMax) / 2;
  const by = (BIN.yMin + BIN.yMax) / 2;
  fillShape(out, bx, by, 0, (BIN.xMax - BIN.xMin) / 2 + wall, (BIN.yMax - BIN.yMin) / 2 + wall, false, p.wall);
  fillShape(out, bx, by, 0, (BIN.xMax - BIN.xMin) / 2, (BIN.yMax - BIN.yMin) / 2, false, p.floor);
  fillShape(out, TRAY_CENTRE.x, TRAY_CENTRE.y, 0, 0.1, 0.1, false, p.tray);
  fillShape(out, 0, 0, 0, 0.06, 0.06, true, p.base);
  return out;
}

/** Draws one frame: `background` copied, then the object, the arm and the fingers. */
export function drawFrame(out: Uint8Array, background: Uint8Array, cond: Conditions, f: SceneFrame): void {
  out.set(background);
  const p = PALETTE[cond.lighting];
  const shape = OBJECT_SHAPE[cond.object_type];
  fillShape(out, f.object.x, f.object.y, f.object.yaw, shape.a, shape.b, shape.round, OBJECT_COLOR[cond.object_type]);
  if (cond.object_type === 'mug') {
    const [c, s] = cosSin(f.object.yaw);
    fillShape(out, f.object.x + 0.04 * c, f.object.y + 0.04 * s, f.object.yaw, 0.012, 0.008, false, OBJECT_COLOR.mug);
  }
  fillSegment(out, 0, 0, f.hand.x, f.hand.y, 0.022, p.arm);
  // Two fingers across the grasp direction, `width` apart.
  const [c, s] = cosSin(f.hand.yaw);
  const half = f.hand.width / 2 + 0.006;
  fillShape(out, f.hand.x - half * s, f.hand.y + half * c, f.hand.yaw, 0.016, 0.006, false, p.finger);
  fillShape(out, f.hand.x + half * s, f.hand.y - half * c, f.hand.yaw, 0.016, 0.006, false, p.finger);
}

/**
 * Every frame's hand and object of an episode, from its script (when the object is held) and its rendered state
 * (`length × DIM` floats at `offset` frames).
 */
export function sceneTrack(script: MotionScript, cond: Conditions, state: Float32Array, offset = 0): SceneFrame[] {
  const frames: SceneFrame[] = [];
  const objectYaw = (cond.yaw_deg * 3.141592653589793) / 180;
  let object = { x: cond.pos_x, y: cond.pos_y, yaw: objectYaw };
  // While held, the object keeps its pose relative to the hand.
  let grip: { dx: number; dy: number; dyaw: number } | null = null;
  for (let t = 0; t < script.length; t++) {
    const o = (offset + t) * DIM;
    const hand = gripperPlane(state, o);
    const held = script.hold.some(([a, b]) => t >= a && t < b);
    if (held && !grip) grip = { dx: object.x - hand.x, dy: object.y - hand.y, dyaw: object.yaw - hand.yaw };
    if (!held) grip = null;
    if (grip) object = { x: hand.x + grip.dx, y: hand.y + grip.dy, yaw: hand.yaw + grip.dyaw };
    frames.push({ hand: { ...hand, width: state[o + DIM - 1] }, object: { ...object } });
  }
  return frames;
}
