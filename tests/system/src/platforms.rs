//! The platforms the archive carries a native library for, and the targets those libraries
//! are held to: shared by `cargo xtask dist` (which builds them), the archive suite (which
//! checks them) and `cargo xtask bench`.

/// The oldest glibc the Linux libraries support by default: RHEL/CentOS 7 and Amazon Linux 2
/// ship 2.17, and zig carries symbol stubs for it.
pub const GLIBC_FLOOR: &str = "2.17";

/// The size target of each platform's stripped native library (6 MiB): every Atom extracts it
/// from the jar on first use, and the archive is uploaded to AtomSphere with each version.
/// Checked by the archive stage and by `cargo xtask bench`.
pub const MAX_LIBRARY_BYTES: u64 = 6 * 1024 * 1024;

/// The Windows DLL's own target (8 MiB): the same code compiles to about 1.5 times the machine
/// code for x86_64-pc-windows-gnu (unwind tables and the MinGW runtime), so the Linux target
/// would fail it for reasons no change of ours moves; it still catches a DLL that grows.
pub const MAX_WINDOWS_LIBRARY_BYTES: u64 = 8 * 1024 * 1024;

/// The size target of the library at `name` (`native/<platform>/<file>` in the shim jar).
pub fn max_library_bytes(name: &str) -> u64 {
    if name.contains("/windows-") {
        MAX_WINDOWS_LIBRARY_BYTES
    } else {
        MAX_LIBRARY_BYTES
    }
}

/// One platform the archive can carry a library for.
pub struct Platform {
    /// The jar folder, as the loader (NativeLibrary.java) names the platform.
    pub id: &'static str,
    pub triple: &'static str,
    /// `System.mapLibraryName("cloudblue_connect_boomi")` on that OS.
    pub file: &'static str,
    /// Whether the test suite runs this library (only the build machine's platform).
    pub tested: bool,
}

impl Platform {
    pub fn is_linux(&self) -> bool {
        self.id.starts_with("linux-")
    }
}

/// The platform every archive carries and the tests run.
pub const LINUX_X86_64: Platform = Platform {
    id: "linux-x86_64",
    triple: "x86_64-unknown-linux-gnu",
    file: "libcloudblue_connect_boomi.so",
    tested: true,
};

/// Every platform `dist --all-targets` can build; the first is always built. macOS is absent
/// because its libraries cannot link without Apple's SDK (Security, CoreFoundation).
pub const PLATFORMS: &[Platform] = &[
    LINUX_X86_64,
    Platform {
        id: "linux-aarch64",
        triple: "aarch64-unknown-linux-gnu",
        file: "libcloudblue_connect_boomi.so",
        tested: false,
    },
    Platform {
        id: "windows-x86_64",
        triple: "x86_64-pc-windows-gnu",
        file: "cloudblue_connect_boomi.dll",
        tested: false,
    },
];

/// `2.17` → `[2, 17]`, so versions compare numerically (`2.9 < 2.17`).
pub fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}
