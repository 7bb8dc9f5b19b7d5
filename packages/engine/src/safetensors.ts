// The safetensors format (huggingface/safetensors): 8-byte little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {string: string} }, then the
// raw little-endian tensor bytes. We read F32, F16, BF16 and I32 (to float32 / int32) and write F32 and I32.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

export interface NamedArray {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export type TensorMap = Record<string, NamedArray>;

const BYTES: Record<string, number> = { F32: 4, I32: 4, F16: 2, BF16: 2 };

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== expected)
      throw new Error(`safetensors: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.byteLength;
    header[name] = {
      dtype: t.dtype === 'float32' ? 'F32' : 'I32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align the data start to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors',
): { tensors: TensorMap; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${source}: file too short to be safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new Error(`${source}: header length ${headerLength} exceeds file size`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, any>;
  const base = 8 + headerLength;
  const tensors: TensorMap = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new Error(`${source}: tensor ${name} has unsupported dtype ${dtype}`);
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (end - begin !== count * BYTES[dtype])
      throw new Error(`${source}: tensor ${name} byte range does not match shape [${shape}]`);
    // a copy: aligned, detached from the file buffer
    const raw = new Uint8Array(bytes.subarray(base + begin, base + end));
    const dv = new DataView(raw.buffer);
    if (dtype === 'F32') tensors[name] = { dtype: 'float32', shape, data: new Float32Array(raw.buffer) };
    else if (dtype === 'I32') tensors[name] = { dtype: 'int32', shape, data: new Int32Array(raw.buffer) };
    else {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const h = dv.getUint16(i * 2, true);
        data[i] = dtype === 'F16' ? f16ToF32(h) : new Float32Array(new Uint32Array([h << 16]).buffer)[0];
      }
      tensors[name] = { dtype: 'float32', shape, data };
    }
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

export function writeSafetensors(path: string, tensors: TensorMap, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(path: string): { tensors: TensorMap; metadata: Record<string, string> } {
  const file = readFileSync(path);
  return decodeSafetensors(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), path);
}
