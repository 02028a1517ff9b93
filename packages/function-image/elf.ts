/**
 * Just enough of ELF64 (little-endian: x86-64 and aarch64) to list what a
 * binary needs from the dynamic loader: its interpreter and DT_NEEDED names.
 * The build uses it to prove the image carries every shared library Node
 * loads, for each architecture, without running the binary.
 */
export interface ElfDeps {
  machine: 'x86-64' | 'aarch64' | `machine ${number}`;
  interpreter?: string;
  needed: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;

export function isElf(data: Buffer): boolean {
  return data.length > 64 && data.readUInt32BE(0) === 0x7f454c46;
}

function cString(data: Buffer, offset: number): string {
  const end = data.indexOf(0, offset);
  return data.toString('utf8', offset, end < 0 ? data.length : end);
}

export function elfDeps(data: Buffer): ElfDeps {
  if (!isElf(data)) throw new Error('not an ELF file');
  if (data[4] !== 2 || data[5] !== 1) throw new Error('only little-endian ELF64 is supported');
  const machineCode = data.readUInt16LE(0x12);
  const machine = machineCode === 62 ? 'x86-64' : machineCode === 183 ? 'aarch64' : (`machine ${machineCode}` as const);
  const phoff = Number(data.readBigUInt64LE(0x20));
  const phentsize = data.readUInt16LE(0x36);
  const phnum = data.readUInt16LE(0x38);
  const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = [];
  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const type = data.readUInt32LE(at);
    const offset = data.readBigUInt64LE(at + 8);
    const vaddr = data.readBigUInt64LE(at + 16);
    const filesz = data.readBigUInt64LE(at + 32);
    if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
    if (type === PT_INTERP) interpreter = cString(data, Number(offset));
    if (type === PT_DYNAMIC) dynamic = { offset: Number(offset), size: Number(filesz) };
  }
  if (!dynamic) return { machine, interpreter, needed: [] };
  const neededOffsets: bigint[] = [];
  let strtab: bigint | undefined;
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = data.readBigInt64LE(at);
    const value = data.readBigUInt64LE(at + 8);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) neededOffsets.push(value);
    if (tag === DT_STRTAB) strtab = value;
  }
  if (strtab === undefined) throw new Error('ELF dynamic section without a string table');
  const segment = loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.filesz);
  if (!segment) throw new Error('ELF string table outside every loaded segment');
  const strtabOffset = Number(strtab - segment.vaddr + segment.offset);
  return { machine, interpreter, needed: neededOffsets.map((o) => cString(data, strtabOffset + Number(o))) };
}
