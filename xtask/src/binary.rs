//! Small readers for the binaries the archive ships: ELF shared objects (the glibc symbol
//! versions they import and the libraries they need), PE DLLs (machine and imported DLLs) and
//! Java class files (version, name, superclass, interfaces).
//!
//! Written by hand rather than shelling out to `objdump`/`javap`: the archive checks must give
//! the same answer on any build machine, and binutils cannot read every target's format
//! (Debian's x86-64 objdump does not know aarch64 ELF without `binutils-multiarch`).

use anyhow::{Context, Result, bail, ensure};

fn u16_at(b: &[u8], off: usize, le: bool) -> Result<u16> {
    let s: [u8; 2] = b.get(off..off + 2).context("truncated file")?.try_into()?;
    Ok(if le {
        u16::from_le_bytes(s)
    } else {
        u16::from_be_bytes(s)
    })
}

fn u32_at(b: &[u8], off: usize, le: bool) -> Result<u32> {
    let s: [u8; 4] = b.get(off..off + 4).context("truncated file")?.try_into()?;
    Ok(if le {
        u32::from_le_bytes(s)
    } else {
        u32::from_be_bytes(s)
    })
}

fn u64_at(b: &[u8], off: usize) -> Result<u64> {
    let s: [u8; 8] = b.get(off..off + 8).context("truncated file")?.try_into()?;
    Ok(u64::from_le_bytes(s))
}

fn c_str(b: &[u8], off: usize) -> Result<String> {
    let rest = b.get(off..).context("string offset outside the file")?;
    let end = rest
        .iter()
        .position(|&c| c == 0)
        .context("unterminated string")?;
    Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
}

// ---------------------------------------------------------------- ELF

/// `e_machine` values of the targets the project builds.
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;

const SHT_DYNAMIC: u32 = 6;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const DT_NEEDED: u64 = 1;

/// What the dynamic loader needs from the system to load an ELF shared object.
#[derive(Debug)]
pub struct Elf {
    pub machine: u16,
    /// `DT_NEEDED` entries (`libc.so.6`, …).
    pub needed: Vec<String>,
    /// Every imported symbol version, e.g. `GLIBC_2.17`, from `.gnu.version_r`.
    pub versions: Vec<String>,
}

impl Elf {
    /// The oldest glibc this object loads on: the highest `GLIBC_x.y` it imports.
    /// `None` when it imports no versioned glibc symbol at all.
    pub fn glibc_floor(&self) -> Option<String> {
        self.versions
            .iter()
            .filter_map(|v| v.strip_prefix("GLIBC_"))
            .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .max_by_key(|v| version_key(v))
            .map(str::to_string)
    }
}

/// `2.17` → `[2, 17]`, so versions compare numerically (`2.9 < 2.17`).
pub fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}

struct Section {
    kind: u32,
    offset: usize,
    size: usize,
    link: usize,
    entsize: usize,
}

/// Reads a 64-bit little-endian ELF (x86-64 and aarch64 Linux both are). Uses the section
/// headers, which `strip` keeps: it only drops the symbol table, not `.dynamic` or
/// `.gnu.version_r`.
pub fn read_elf(b: &[u8]) -> Result<Elf> {
    ensure!(b.starts_with(b"\x7fELF"), "not an ELF file");
    ensure!(b.get(4) == Some(&2), "not a 64-bit ELF file");
    ensure!(b.get(5) == Some(&1), "not a little-endian ELF file");
    let machine = u16_at(b, 18, true)?;
    let shoff = usize::try_from(u64_at(b, 40)?)?;
    let shentsize = usize::from(u16_at(b, 58, true)?);
    let shnum = usize::from(u16_at(b, 60, true)?);
    ensure!(
        shentsize >= 64,
        "unexpected section header size {shentsize}"
    );
    let mut sections = Vec::with_capacity(shnum);
    for i in 0..shnum {
        let h = shoff + i * shentsize;
        sections.push(Section {
            kind: u32_at(b, h + 4, true)?,
            offset: usize::try_from(u64_at(b, h + 24)?)?,
            size: usize::try_from(u64_at(b, h + 32)?)?,
            link: usize::try_from(u32_at(b, h + 40, true)?)?,
            entsize: usize::try_from(u64_at(b, h + 56)?)?,
        });
    }
    let strtab = |s: &Section| -> Result<usize> {
        Ok(sections
            .get(s.link)
            .context("section links to a missing string table")?
            .offset)
    };
    let mut elf = Elf {
        machine,
        needed: Vec::new(),
        versions: Vec::new(),
    };
    for s in &sections {
        match s.kind {
            SHT_DYNAMIC => {
                let strings = strtab(s)?;
                let entsize = if s.entsize == 0 { 16 } else { s.entsize };
                for e in (s.offset..s.offset + s.size).step_by(entsize) {
                    let tag = u64_at(b, e)?;
                    if tag == 0 {
                        break;
                    }
                    if tag == DT_NEEDED {
                        let name = usize::try_from(u64_at(b, e + 8)?)?;
                        elf.needed.push(c_str(b, strings + name)?);
                    }
                }
            }
            SHT_GNU_VERNEED => {
                // Elf64_Verneed {vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32}
                // followed by vn_cnt Elf64_Vernaux {hash u32, flags u16, other u16, name u32, next u32}.
                let strings = strtab(s)?;
                let mut need = s.offset;
                loop {
                    let count = u16_at(b, need + 2, true)?;
                    let mut aux = need + usize::try_from(u32_at(b, need + 8, true)?)?;
                    for _ in 0..count {
                        let name = usize::try_from(u32_at(b, aux + 8, true)?)?;
                        elf.versions.push(c_str(b, strings + name)?);
                        let next = usize::try_from(u32_at(b, aux + 12, true)?)?;
                        if next == 0 {
                            break;
                        }
                        aux += next;
                    }
                    let next = usize::try_from(u32_at(b, need + 12, true)?)?;
                    if next == 0 {
                        break;
                    }
                    need += next;
                }
            }
            _ => {}
        }
    }
    elf.versions.sort();
    elf.versions.dedup();
    Ok(elf)
}

// ---------------------------------------------------------------- PE

pub const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;
const IMAGE_FILE_DLL: u16 = 0x2000;

#[derive(Debug)]
pub struct Pe {
    pub machine: u16,
    pub is_dll: bool,
    /// The DLLs named in the import directory (`KERNEL32.dll`, …).
    pub imports: Vec<String>,
    /// The names in the export directory (what `GetProcAddress`, and so JNI, can find).
    pub exports: Vec<String>,
}

/// Reads a PE32+ image (64-bit Windows DLL): machine, DLL flag, imported DLL names and exported
/// names.
pub fn read_pe(b: &[u8]) -> Result<Pe> {
    ensure!(b.starts_with(b"MZ"), "not a PE file (no MZ header)");
    let pe = usize::try_from(u32_at(b, 0x3c, true)?)?;
    ensure!(
        b.get(pe..pe + 4) == Some(b"PE\0\0"),
        "not a PE file (no PE signature)"
    );
    let coff = pe + 4;
    let machine = u16_at(b, coff, true)?;
    let nsections = usize::from(u16_at(b, coff + 2, true)?);
    let opt_size = usize::from(u16_at(b, coff + 16, true)?);
    let characteristics = u16_at(b, coff + 18, true)?;
    let opt = coff + 20;
    ensure!(u16_at(b, opt, true)? == 0x20b, "not a PE32+ (64-bit) image");
    // PE32+ optional header: data directories start at 112; entry 0 is the export table,
    // entry 1 the import table.
    let export_rva = u32_at(b, opt + 112, true)?;
    let import_rva = u32_at(b, opt + 112 + 8, true)?;
    let sections = opt + opt_size;
    let to_offset = |rva: u32| -> Result<usize> {
        for i in 0..nsections {
            let s = sections + i * 40;
            let vaddr = u32_at(b, s + 12, true)?;
            let raw_size = u32_at(b, s + 16, true)?;
            let raw_ptr = u32_at(b, s + 20, true)?;
            if rva >= vaddr && rva < vaddr + raw_size {
                return Ok(usize::try_from(rva - vaddr + raw_ptr)?);
            }
        }
        bail!("address {rva:#x} is in no section")
    };
    let mut imports = Vec::new();
    if import_rva != 0 {
        // IMAGE_IMPORT_DESCRIPTOR is 20 bytes, Name RVA at +12; an all-zero one ends the list.
        let mut d = to_offset(import_rva)?;
        loop {
            let name_rva = u32_at(b, d + 12, true)?;
            if name_rva == 0 {
                break;
            }
            imports.push(c_str(b, to_offset(name_rva)?)?);
            d += 20;
        }
    }
    let mut exports = Vec::new();
    if export_rva != 0 {
        // IMAGE_EXPORT_DIRECTORY: NumberOfNames at +24, AddressOfNames (RVAs of names) at +32.
        let d = to_offset(export_rva)?;
        let count = usize::try_from(u32_at(b, d + 24, true)?)?;
        let names = to_offset(u32_at(b, d + 32, true)?)?;
        for i in 0..count {
            exports.push(c_str(b, to_offset(u32_at(b, names + 4 * i, true)?)?)?);
        }
    }
    Ok(Pe {
        machine,
        is_dll: characteristics & IMAGE_FILE_DLL != 0,
        imports,
        exports,
    })
}

// ---------------------------------------------------------------- class files

#[derive(Debug)]
pub struct Class {
    pub major: u16,
    /// Internal names (`com/cloudblue/connect/boomi/ConnectConnector`).
    pub name: String,
    pub super_name: Option<String>,
    pub interfaces: Vec<String>,
}

/// Reads a class file's header, constant pool and the names of the class, its superclass and
/// its interfaces.
pub fn read_class(b: &[u8]) -> Result<Class> {
    ensure!(b.starts_with(&[0xca, 0xfe, 0xba, 0xbe]), "not a class file");
    let major = u16_at(b, 6, false)?;
    let count = usize::from(u16_at(b, 8, false)?);
    // Index → (tag, offset of the entry's data); index 0 and the slot after a long/double are unused.
    let mut utf8: Vec<Option<String>> = vec![None; count];
    let mut class_name_index: Vec<Option<usize>> = vec![None; count];
    let mut off = 10;
    let mut i = 1;
    while i < count {
        let tag = *b.get(off).context("truncated constant pool")?;
        off += 1;
        let (len, wide) = match tag {
            1 => {
                let n = usize::from(u16_at(b, off, false)?);
                let bytes = b.get(off + 2..off + 2 + n).context("truncated string")?;
                // Modified UTF-8 equals UTF-8 for the names checked here.
                utf8[i] = Some(String::from_utf8_lossy(bytes).into_owned());
                (2 + n, false)
            }
            7 => {
                class_name_index[i] = Some(usize::from(u16_at(b, off, false)?));
                (2, false)
            }
            8 | 16 | 19 | 20 => (2, false),
            15 => (3, false),
            3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => (4, false),
            5 | 6 => (8, true),
            other => bail!("unknown constant pool tag {other}"),
        };
        off += len;
        i += if wide { 2 } else { 1 };
    }
    let class_name = |index: usize| -> Result<String> {
        class_name_index
            .get(index)
            .copied()
            .flatten()
            .and_then(|n| utf8.get(n).cloned().flatten())
            .with_context(|| format!("constant {index} is not a class name"))
    };
    let this = class_name(usize::from(u16_at(b, off + 2, false)?))?;
    let super_index = usize::from(u16_at(b, off + 4, false)?);
    let super_name = if super_index == 0 {
        None
    } else {
        Some(class_name(super_index)?)
    };
    let n = usize::from(u16_at(b, off + 6, false)?);
    let interfaces = (0..n)
        .map(|k| class_name(usize::from(u16_at(b, off + 8 + 2 * k, false)?)))
        .collect::<Result<_>>()?;
    Ok(Class {
        major,
        name: this,
        super_name,
        interfaces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal class file: `class p/A extends java/lang/Object implements p/I`.
    fn class_bytes(major: u16) -> Vec<u8> {
        let mut b = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0];
        b.extend(major.to_be_bytes());
        b.extend(10u16.to_be_bytes()); // constants 1..=9
        let utf8 = |b: &mut Vec<u8>, s: &str| {
            b.push(1);
            b.extend(u16::try_from(s.len()).unwrap().to_be_bytes());
            b.extend(s.as_bytes());
        };
        utf8(&mut b, "p/A"); // 1
        b.extend([7, 0, 1]); // 2: class p/A
        b.extend([5, 0, 0, 0, 0, 0, 0, 0, 42]); // 3: a long, which also takes slot 4
        utf8(&mut b, "java/lang/Object"); // 5
        b.extend([7, 0, 5]); // 6: class java/lang/Object
        utf8(&mut b, "p/I"); // 7
        b.extend([7, 0, 7]); // 8: class p/I
        utf8(&mut b, ""); // 9
        b.extend([0, 0x21]); // access
        b.extend([0, 2, 0, 6, 0, 1, 0, 8]); // this, super, 1 interface
        b
    }

    #[test]
    fn class_header_is_read() {
        let c = read_class(&class_bytes(52)).unwrap();
        assert_eq!(c.major, 52);
        assert_eq!(c.name, "p/A");
        assert_eq!(c.super_name.as_deref(), Some("java/lang/Object"));
        assert_eq!(c.interfaces, ["p/I"]);
        assert_eq!(read_class(&class_bytes(61)).unwrap().major, 61);
        assert!(read_class(b"PK\x03\x04").is_err());
        assert!(read_class(&class_bytes(52)[..20]).is_err());
    }

    /// The running xtask binary is an ELF linked against the build machine's glibc.
    #[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
    #[test]
    fn own_executable_is_read() {
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let elf = read_elf(&bytes).unwrap();
        assert_eq!(elf.machine, EM_X86_64);
        assert!(
            elf.needed.iter().any(|n| n == "libc.so.6"),
            "{:?}",
            elf.needed
        );
        let floor = elf.glibc_floor().expect("a GLIBC_ version");
        assert!(version_key(&floor) >= version_key("2.2.5"), "{floor}");
        assert!(read_elf(b"MZ\x90\x00").is_err());
        assert!(read_pe(&bytes).is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        let elf = Elf {
            machine: EM_X86_64,
            needed: vec![],
            versions: [
                "GLIBC_2.9",
                "GLIBC_2.17",
                "GLIBC_2.2.5",
                "GCC_3.0",
                "GLIBC_PRIVATE",
            ]
            .map(String::from)
            .to_vec(),
        };
        assert_eq!(elf.glibc_floor().as_deref(), Some("2.17"));
    }
}
