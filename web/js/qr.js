// A small QR Code encoder (ISO/IEC 18004): byte mode, versions 1–10, levels L/M/Q/H.
// encode(text) returns the module matrix; toSvg(qr) draws it as inline SVG.

const SVG_NS = "http://www.w3.org/2000/svg";

// Per version, per level: [EC codewords per block, [blocks, data codewords], ...].
const BLOCKS = {
  1: { L: [7, [1, 19]], M: [10, [1, 16]], Q: [13, [1, 13]], H: [17, [1, 9]] },
  2: { L: [10, [1, 34]], M: [16, [1, 28]], Q: [22, [1, 22]], H: [28, [1, 16]] },
  3: { L: [15, [1, 55]], M: [26, [1, 44]], Q: [18, [2, 17]], H: [22, [2, 13]] },
  4: { L: [20, [1, 80]], M: [18, [2, 32]], Q: [26, [2, 24]], H: [16, [4, 9]] },
  5: { L: [26, [1, 108]], M: [24, [2, 43]], Q: [18, [2, 15], [2, 16]], H: [22, [2, 11], [2, 12]] },
  6: { L: [18, [2, 68]], M: [16, [4, 27]], Q: [24, [4, 19]], H: [28, [4, 15]] },
  7: { L: [20, [2, 78]], M: [18, [4, 31]], Q: [18, [2, 14], [4, 15]], H: [26, [4, 13], [1, 14]] },
  8: { L: [24, [2, 97]], M: [22, [2, 38], [2, 39]], Q: [22, [4, 18], [2, 19]], H: [26, [4, 14], [2, 15]] },
  9: { L: [30, [2, 116]], M: [22, [3, 36], [2, 37]], Q: [20, [4, 16], [4, 17]], H: [24, [4, 12], [4, 13]] },
  10: { L: [18, [2, 68], [2, 69]], M: [26, [4, 43], [1, 44]], Q: [24, [6, 19], [2, 20]], H: [28, [6, 15], [2, 16]] },
};
const ALIGNMENT = { 1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34],
  7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50] };
const LEVEL_BITS = { L: 1, M: 0, Q: 3, H: 2 };
export const MAX_VERSION = 10;

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
(function buildTables() {
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
})();

function gfMul(a, b) {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

function generator(degree) {
  let poly = [1];
  for (let i = 0; i < degree; i++) {
    const next = new Array(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j] ^= poly[j];
      next[j + 1] ^= gfMul(poly[j], EXP[i]);
    }
    poly = next;
  }
  return poly;
}

function remainder(data, degree) {
  const gen = generator(degree);
  const rest = data.concat(new Array(degree).fill(0));
  for (let i = 0; i < data.length; i++) {
    const factor = rest[i];
    if (factor === 0) continue;
    for (let j = 0; j < gen.length; j++) rest[i + j] ^= gfMul(gen[j], factor);
  }
  return rest.slice(data.length);
}

function dataCapacity(version, level) {
  const [, ...groups] = BLOCKS[version][level];
  return groups.reduce((sum, [count, size]) => sum + count * size, 0);
}

function countBits(version) {
  return version <= 9 ? 8 : 16;
}

/** The smallest version (1–10) whose capacity holds `length` bytes at `level`, or 0. */
export function fitVersion(length, level) {
  for (let v = 1; v <= MAX_VERSION; v++) {
    if (4 + countBits(v) + 8 * length <= 8 * dataCapacity(v, level)) return v;
  }
  return 0;
}

function dataCodewords(bytes, version, level) {
  const capacity = dataCapacity(version, level);
  const bits = [];
  const push = (value, length) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(bytes.length, countBits(version));
  for (const byte of bytes) push(byte, 8);
  push(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8) bits.push(0);
  const words = [];
  for (let i = 0; i < bits.length; i += 8) {
    words.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  }
  for (let pad = 0; words.length < capacity; pad ^= 1) words.push(pad ? 0x11 : 0xec);
  return words;
}

function interleave(words, version, level) {
  const [ecLength, ...groups] = BLOCKS[version][level];
  const blocks = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let i = 0; i < count; i++) {
      const data = words.slice(offset, offset + size);
      offset += size;
      blocks.push({ data, ec: remainder(data, ecLength) });
    }
  }
  const out = [];
  const longest = Math.max(...blocks.map((b) => b.data.length));
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
  for (let i = 0; i < ecLength; i++) for (const b of blocks) out.push(b.ec[i]);
  return out;
}

function bchFormat(level, mask) {
  const data = (LEVEL_BITS[level] << 3) | mask;
  let rest = data << 10;
  for (let i = 14; i >= 10; i--) if (rest & (1 << i)) rest ^= 0x537 << (i - 10);
  return ((data << 10) | rest) ^ 0x5412;
}

function bchVersion(version) {
  let rest = version << 12;
  for (let i = 17; i >= 12; i--) if (rest & (1 << i)) rest ^= 0x1f25 << (i - 12);
  return (version << 12) | rest;
}

function blankMatrix(version) {
  const size = 17 + 4 * version;
  const modules = Array.from({ length: size }, () => new Array(size).fill(false));
  const reserved = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (r, c, dark) => {
    modules[r][c] = dark;
    reserved[r][c] = true;
  };
  const finder = (top, left) => {
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const y = top + r;
        const x = left + c;
        if (y < 0 || y >= size || x < 0 || x >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(y, x, ring !== 2 && ring !== 4);
      }
    }
  };
  finder(0, 0);
  finder(0, size - 7);
  finder(size - 7, 0);
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  const centres = ALIGNMENT[version];
  const last = centres.length - 1;
  for (const [i, r] of centres.entries()) {
    for (const [j, c] of centres.entries()) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) set(r + dy, c + dx, Math.max(Math.abs(dy), Math.abs(dx)) !== 1);
      }
    }
  }
  for (let i = 0; i < 9; i++) {
    reserved[8][i] = true;
    reserved[i][8] = true;
  }
  for (let i = 0; i < 8; i++) {
    reserved[8][size - 1 - i] = true;
    reserved[size - 1 - i][8] = true;
  }
  set(size - 8, 8, true);
  if (version >= 7) {
    const bits = bchVersion(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = Math.floor(i / 3);
      const b = size - 11 + (i % 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }
  return { size, modules, reserved };
}

function placeData(matrix, codewords) {
  const { size, modules, reserved } = matrix;
  let index = 0;
  const total = codewords.length * 8;
  let upward = true;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (let k = 0; k < 2; k++) {
        const col = right - k;
        if (reserved[row][col]) continue;
        let dark = false;
        if (index < total) dark = ((codewords[index >>> 3] >>> (7 - (index & 7))) & 1) === 1;
        modules[row][col] = dark;
        index++;
      }
    }
    upward = !upward;
  }
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

function withMask(matrix, level, mask) {
  const { size, reserved } = matrix;
  const modules = matrix.modules.map((row, r) =>
    row.map((dark, c) => (reserved[r][c] ? dark : dark !== MASKS[mask](r, c))),
  );
  const bits = bchFormat(level, mask);
  for (let i = 0; i < 15; i++) {
    const dark = ((bits >>> i) & 1) === 1;
    // First copy, around the top-left finder.
    if (i < 6) modules[i][8] = dark;
    else if (i < 8) modules[i + 1][8] = dark;
    else if (i === 8) modules[8][7] = dark;
    else modules[8][14 - i] = dark;
    // Second copy, split between the top-right and bottom-left finders.
    if (i < 8) modules[8][size - 1 - i] = dark;
    else modules[size - 15 + i][8] = dark;
  }
  modules[size - 8][8] = true;
  return modules;
}

// Masks are scored before format and version information is written: those areas count as light.
function withoutInformation(modules, version) {
  const size = modules.length;
  const copy = modules.map((row) => row.slice());
  for (let i = 0; i < 9; i++) {
    if (i === 6) continue; // the timing patterns cross here
    copy[i][8] = false;
    copy[8][i] = false;
  }
  for (let i = 1; i <= 8; i++) {
    copy[size - i][8] = false;
    copy[8][size - i] = false;
  }
  if (version >= 7) {
    for (let i = 0; i < 6; i++) {
      for (let k = 9; k <= 11; k++) {
        copy[i][size - k] = false;
        copy[size - k][i] = false;
      }
    }
  }
  return copy;
}

/** The penalty score of ISO/IEC 18004 §7.8.3 (lower is better). */
export function penalty(modules) {
  const size = modules.length;
  const finderLike = [true, false, true, true, true, false, true];
  const lightBetween = (line, from, to) => {
    for (let k = Math.max(from, 0); k < Math.min(to, size); k++) if (line[k]) return false;
    return true;
  };
  const scoreLine = (line) => {
    let score = 0;
    let run = 1;
    for (let k = 1; k <= size; k++) {
      if (k < size && line[k] === line[k - 1]) {
        run++;
      } else {
        if (run >= 5) score += run - 2;
        run = 1;
      }
    }
    // A 1:1:3:1:1 pattern with four light modules (or the symbol's edge) on either side.
    let start = 0;
    while (start + 7 <= size) {
      let at = -1;
      for (let k = start; k + 7 <= size; k++) {
        if (finderLike.every((v, n) => line[k + n] === v)) {
          at = k;
          break;
        }
      }
      if (at < 0) break;
      if (at === 0 || at === size - 7 || lightBetween(line, at - 4, at) || lightBetween(line, at + 7, at + 11)) {
        score += 40;
        start = at + 7;
      } else {
        start = at + 4;
      }
    }
    return score;
  };
  let score = 0;
  let dark = 0;
  for (let r = 0; r < size; r++) {
    score += scoreLine(modules[r]);
    score += scoreLine(modules.map((row) => row[r]));
    for (let c = 0; c < size; c++) {
      if (modules[r][c]) dark++;
      if (r + 1 < size && c + 1 < size) {
        const v = modules[r][c];
        if (v === modules[r][c + 1] && v === modules[r + 1][c] && v === modules[r + 1][c + 1]) score += 3;
      }
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
  return score;
}

/**
 * Encode text (UTF-8, byte mode) as a QR symbol.
 * Options: level "L"|"M"|"Q"|"H" (default "M"), version 1–10 (default: the smallest that fits),
 * mask 0–7 (default: the lowest penalty). Throws RangeError when the text does not fit.
 */
export function encode(text, options = {}) {
  const level = options.level || "M";
  if (!(level in LEVEL_BITS)) throw new RangeError("unknown error correction level");
  const bytes = Array.from(new TextEncoder().encode(text));
  const version = options.version || fitVersion(bytes.length, level);
  if (!version || version > MAX_VERSION || 4 + countBits(version) + 8 * bytes.length > 8 * dataCapacity(version, level)) {
    throw new RangeError("text too long for a version 1–10 QR code");
  }
  const matrix = blankMatrix(version);
  placeData(matrix, interleave(dataCodewords(bytes, version, level), version, level));
  let mask = options.mask;
  let modules;
  if (mask === undefined || mask === null) {
    let best = Infinity;
    for (let m = 0; m < 8; m++) {
      const candidate = withMask(matrix, level, m);
      const score = penalty(withoutInformation(candidate, version));
      if (score < best) {
        best = score;
        mask = m;
        modules = candidate;
      }
    }
  } else {
    modules = withMask(matrix, level, mask);
  }
  return { version, level, mask, size: matrix.size, modules };
}

/** Draw a symbol as an <svg> element with a quiet zone; `label` names it for screen readers. */
export function toSvg(qr, { margin = 4, label = "QR code", pixels = 200 } = {}) {
  const extent = qr.size + 2 * margin;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${extent} ${extent}`);
  svg.setAttribute("width", String(pixels));
  svg.setAttribute("height", String(pixels));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const title = document.createElementNS(SVG_NS, "title");
  title.textContent = label;
  svg.appendChild(title);
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", String(extent));
  background.setAttribute("height", String(extent));
  background.setAttribute("fill", "#fff");
  svg.appendChild(background);
  const parts = [];
  qr.modules.forEach((row, r) => {
    row.forEach((dark, c) => {
      if (dark) parts.push(`M${c + margin} ${r + margin}h1v1h-1z`);
    });
  });
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", parts.join(""));
  path.setAttribute("fill", "#000");
  svg.appendChild(path);
  return svg;
}
