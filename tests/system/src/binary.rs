//! Small readers for the binaries the archive ships: ELF shared objects (the glibc symbol
//! versions they import, the libraries they need, their exports) and PE DLLs (machine, imported
//! DLLs, exports),
//! read with the `object` crate; and Java class files (version, name, superclass, interfaces).
//!
//! Read in process rather than with `objdump`/`javap`: the archive checks must give the same
//! answer on any build machine, and binutils cannot read every target's format (Debian's x86-64
//! objdump does not know aarch64 ELF without `binutils-multiarch`). The class file reader stays
//! hand-written: it needs the version and four names from the constant pool, where a class-file
//! crate would parse every field, method and attribute of each class.

pub use crate::platforms::version_key;
use anyhow::{Context, Result, bail, ensure};
use object::LittleEndian as LE;
use object::elf::{DT_NEEDED, DT_NULL, FileHeader64};
use object::read::elf::{Dyn as _, FileHeader as _};
use object::read::pe::PeFile64;
use object::{Endianness, Object as _, pe};

fn u16_at(b: &[u8], off: usize) -> Result<u16> {
    let s: [u8; 2] = b.get(off..off + 2).context("truncated file")?.try_into()?;
    Ok(u16::from_be_bytes(s))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------- ELF

/// `e_machine` values of the targets the project builds.
pub const EM_X86_64: u16 = object::elf::EM_X86_64;
pub const EM_AARCH64: u16 = object::elf::EM_AARCH64;

/// What the dynamic loader needs from the system to load an ELF shared object.
#[derive(Debug)]
pub struct Elf {
    pub machine: u16,
    /// `DT_NEEDED` entries (`libc.so.6`, …).
    pub needed: Vec<String>,
    /// Every imported symbol version, e.g. `GLIBC_2.17`, from `.gnu.version_r`.
    pub versions: Vec<String>,
    /// The defined global dynamic symbols (what `dlsym`, and so JNI, can find; `nm -D
    /// --defined-only`).
    pub exports: Vec<String>,
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

/// Reads a 64-bit little-endian ELF (x86-64 and aarch64 Linux both are). Uses the section
/// headers, which `strip` keeps: it only drops the symbol table, not `.dynamic` or
/// `.gnu.version_r`.
pub fn read_elf(b: &[u8]) -> Result<Elf> {
    ensure!(b.starts_with(b"\x7fELF"), "not an ELF file");
    let header = FileHeader64::<Endianness>::parse(b).context("not a 64-bit ELF file")?;
    let endian = header.endian()?;
    ensure!(endian == Endianness::Little, "not a little-endian ELF file");
    let sections = header.sections(endian, b)?;
    let mut elf = Elf {
        machine: header.e_machine(endian),
        needed: Vec::new(),
        versions: Vec::new(),
        exports: object::File::parse(b)?
            .exports()?
            .iter()
            .map(|e| text(e.name()))
            .collect(),
    };
    if let Some((entries, link)) = sections.dynamic(endian, b)? {
        let strings = sections.strings(endian, b, link)?;
        for entry in entries {
            match entry.tag32(endian) {
                Some(DT_NULL) => break,
                Some(DT_NEEDED) => elf.needed.push(text(entry.string(endian, strings)?)),
                _ => {}
            }
        }
    }
    if let Some((mut needs, link)) = sections.gnu_verneed(endian, b)? {
        let strings = sections.strings(endian, b, link)?;
        while let Some((_, mut versions)) = needs.next()? {
            while let Some(version) = versions.next()? {
                elf.versions.push(text(version.name(endian, strings)?));
            }
        }
    }
    elf.versions.sort();
    elf.versions.dedup();
    Ok(elf)
}

// ---------------------------------------------------------------- PE

pub const IMAGE_FILE_MACHINE_AMD64: u16 = pe::IMAGE_FILE_MACHINE_AMD64;

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
    let file = PeFile64::parse(b).context("not a PE32+ (64-bit) image")?;
    let header = &file.nt_headers().file_header;
    let mut imports = Vec::new();
    if let Some(table) = file.import_table()? {
        let mut descriptors = table.descriptors()?;
        while let Some(d) = descriptors.next()? {
            imports.push(text(table.name(d.name.get(LE))?));
        }
    }
    let exports = file.exports()?.iter().map(|e| text(e.name())).collect();
    Ok(Pe {
        machine: header.machine.get(LE),
        is_dll: header.characteristics.get(LE) & pe::IMAGE_FILE_DLL != 0,
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
    let major = u16_at(b, 6)?;
    let count = usize::from(u16_at(b, 8)?);
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
                let n = usize::from(u16_at(b, off)?);
                let bytes = b.get(off + 2..off + 2 + n).context("truncated string")?;
                // Modified UTF-8 equals UTF-8 for the names checked here.
                utf8[i] = Some(String::from_utf8_lossy(bytes).into_owned());
                (2 + n, false)
            }
            7 => {
                class_name_index[i] = Some(usize::from(u16_at(b, off)?));
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
    let this = class_name(usize::from(u16_at(b, off + 2)?))?;
    let super_index = usize::from(u16_at(b, off + 4)?);
    let super_name = if super_index == 0 {
        None
    } else {
        Some(class_name(super_index)?)
    };
    let n = usize::from(u16_at(b, off + 6)?);
    let interfaces = (0..n)
        .map(|k| class_name(usize::from(u16_at(b, off + 8 + 2 * k)?)))
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
            exports: vec![],
        };
        assert_eq!(elf.glibc_floor().as_deref(), Some("2.17"));
    }
}
