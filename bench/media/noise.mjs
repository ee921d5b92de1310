// Writes a Y4M video for chromium's fake camera (--use-file-for-fake-video-capture) that keeps a
// video encoder at its bitrate cap at full frame rate, as a teacher moving in front of a camera
// does, instead of the few dozen kbps chromium's own test pattern needs: a textured background
// that pans (predictable motion) and a patch of fresh noise each frame (what costs bits), whose
// size `patch` (a fraction of the frame's width and height) sets the bitrate. Deterministic.
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeNoiseY4m(path, { width, height, fps, frames, patch = 0.25 }) {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    let s = 0x9e3779b9;
    const next = () => {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      return s;
    };
    const pan = 2; // pixels per frame
    const textureWidth = width + pan * frames;
    const texture = Buffer.alloc(textureWidth * height);
    for (let by = 0; by < height; by += 8) {
      for (let bx = 0; bx < textureWidth; bx += 8) {
        const g = 32 + (next() % 192);
        for (let y = by; y < Math.min(by + 8, height); y++) {
          for (let x = bx; x < Math.min(bx + 8, textureWidth); x++) texture[y * textureWidth + x] = g + (next() & 0x0f);
        }
      }
    }
    const luma = width * height;
    const chroma = (width / 2) * (height / 2);
    const frame = Buffer.alloc(luma + 2 * chroma);
    const pw = Math.floor((width * patch) / 8) * 8;
    const ph = Math.floor((height * patch) / 8) * 8;
    for (let f = 0; f < frames; f++) {
      for (let y = 0; y < height; y++) texture.copy(frame, y * width, y * textureWidth + f * pan, y * textureWidth + f * pan + width);
      // The patch wanders around the middle of the frame.
      const px = Math.floor((width - pw) / 2 + ((width - pw) / 3) * Math.sin((2 * Math.PI * f) / frames));
      const py = Math.floor((height - ph) / 2 + ((height - ph) / 3) * Math.cos((2 * Math.PI * f) / frames));
      for (let y = py; y < py + ph; y++) for (let x = px; x < px + pw; x++) frame[y * width + x] = next() & 0xff;
      frame.fill(112 + (f % 32), luma, luma + chroma);
      frame.fill(144 - (f % 32), luma + chroma);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, frame);
    }
  } finally {
    closeSync(fd);
  }
}
