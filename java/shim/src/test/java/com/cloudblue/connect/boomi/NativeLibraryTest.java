package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.ConnectorException;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryTest {
    @Test
    void mapsOsAndArchNamesToResourceFolders() {
        assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "amd64"));
        assertEquals("linux-aarch64", NativeLibrary.platform("Linux", "aarch64"));
        assertEquals("macos-aarch64", NativeLibrary.platform("Mac OS X", "arm64"));
        assertEquals("windows-x86_64", NativeLibrary.platform("Windows Server 2019", "x86_64"));
        assertNull(NativeLibrary.platform("SunOS", "sparcv9"));
        assertNull(NativeLibrary.platform("Linux", "s390x"));
    }

    /** A jar with only a linux-x86_64 library: other platforms must fail with NATIVE_LIBRARY. */
    @Test
    void missingLibraryForThePlatformIsAConnectorExceptionNamingTheSupportedOnes(@TempDir Path dir) throws IOException {
        Path lib = dir.resolve("native/linux-x86_64/libcloudblue_connect_boomi.so");
        Files.createDirectories(lib.getParent());
        Files.write(lib, new byte[] {0x7f, 'E', 'L', 'F'});
        try (URLClassLoader jar = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertEquals(Collections.singletonList("linux-x86_64"), NativeLibrary.supportedPlatforms(jar));
            for (String[] p : Arrays.asList(new String[] {"Mac OS X", "aarch64"}, new String[] {"Linux", "aarch64"},
                    new String[] {"AIX", "ppc64"})) {
                ConnectorException e = assertThrows(ConnectorException.class,
                        () -> NativeLibrary.load(p[0], p[1], null, jar));
                assertEquals("NATIVE_LIBRARY", e.getStatusCode());
                assertTrue(e.getMessage().contains("os.name=" + p[0] + ", os.arch=" + p[1]), e.getMessage());
                assertTrue(e.getMessage().contains("native libraries for: linux-x86_64."), e.getMessage());
                assertTrue(e.getMessage().contains("no native library for this platform"), e.getMessage());
            }
        }
    }

    @Test
    void aLibraryThatCannotBeLinkedIsAConnectorException(@TempDir Path dir) throws IOException {
        Set<String> before = copiesInTemp();
        // Present for the platform but not loadable.
        Path lib = dir.resolve("native/linux-x86_64/libcloudblue_connect_boomi.so");
        Files.createDirectories(lib.getParent());
        Files.write(lib, elfWithoutSegments());
        try (URLClassLoader jar = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            ConnectorException e = assertThrows(ConnectorException.class,
                    () -> NativeLibrary.load("Linux", "amd64", null, jar));
            assertEquals("NATIVE_LIBRARY", e.getStatusCode());
            // The linker's text appears once: the exception has no cause for the SDK to append again.
            assertNull(e.getCause());
            assertTrue(e.getMessage().startsWith("[NATIVE_LIBRARY] "), e.getMessage());
            assertTrue(e.getMessage().contains("could not be linked"), e.getMessage());
            assertFalse(e.getMessage().contains("UnsatisfiedLinkError"), e.getMessage());
        }
        // The failed attempt leaves no copy behind in the temp directory.
        Set<String> after = copiesInTemp();
        after.removeAll(before);
        assertEquals(Collections.emptySet(), after);
    }

    /**
     * An x86-64 ELF shared object header whose only program header marks the stack
     * non-executable: the dynamic linker refuses it (no loadable segment), and HotSpot, which reads
     * that header before loading, has no reason to warn about the stack guard as it does for a file
     * that is not ELF at all.
     */
    private static byte[] elfWithoutSegments() {
        ByteBuffer elf = ByteBuffer.allocate(64 + 56).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        elf.putShort((short) 3).putShort((short) 62).putInt(1); // ET_DYN, EM_X86_64, EV_CURRENT
        elf.putLong(0).putLong(64).putLong(0).putInt(0); // entry, program headers at 64, no sections
        elf.putShort((short) 64).putShort((short) 56).putShort((short) 1); // sizes, one program header
        elf.putShort((short) 64).putShort((short) 0).putShort((short) 0);
        elf.putInt(0x6474e551).putInt(6); // PT_GNU_STACK, PF_R | PF_W
        return elf.array();
    }

    private static Set<String> copiesInTemp() {
        String[] names = new File(System.getProperty("java.io.tmpdir"))
                .list((d, name) -> name.startsWith(NativeLibrary.LIBRARY + "-") && name.endsWith(".so"));
        return new HashSet<String>(names == null ? Collections.<String>emptyList() : Arrays.asList(names));
    }

    @Test
    void aMissingOverrideFileIsAConnectorException(@TempDir Path dir) {
        ConnectorException e = assertThrows(ConnectorException.class, () -> NativeLibrary.load("Linux", "amd64",
                dir.resolve("nope.so").toString(), NativeLibraryTest.class.getClassLoader()));
        assertEquals("NATIVE_LIBRARY", e.getStatusCode());
        assertTrue(e.getMessage().contains(NativeLibrary.OVERRIDE_PROPERTY), e.getMessage());
    }

    /**
     * The packaged shim jar (from the archive the dist stage built, {@code -Dconnector.archive}): the
     * platforms the loader reports as supported, and names in its error message, are exactly the
     * platforms whose library folder is in the jar. A library under a folder or file name the loader
     * does not look for would be dead weight and a false promise.
     */
    @Test
    void supportedPlatformsAreTheLibrariesInThePackagedJar(@TempDir Path dir) throws IOException {
        String archive = System.getProperty("connector.archive");
        assertNotNull(archive, "-Dconnector.archive must name the built connector archive");
        Path jarCopy = dir.resolve("shim.jar");
        try (ZipFile car = new ZipFile(archive)) {
            ZipEntry shim = null;
            for (Enumeration<? extends ZipEntry> e = car.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().startsWith("lib/") && entry.getName().endsWith(".jar")) {
                    shim = entry;
                }
            }
            assertNotNull(shim, "no lib/*.jar in " + archive);
            try (java.io.InputStream in = car.getInputStream(shim)) {
                Files.copy(in, jarCopy);
            }
        }
        Set<String> inJar = new TreeSet<String>();
        try (JarFile jar = new JarFile(jarCopy.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                String[] parts = e.nextElement().getName().split("/");
                if (parts.length == 3 && parts[0].equals("native")) {
                    inJar.add(parts[1]);
                }
            }
        }
        assertTrue(inJar.contains("linux-x86_64"), "the jar holds libraries for " + inJar);
        try (URLClassLoader jar = new URLClassLoader(new URL[] {jarCopy.toUri().toURL()}, null)) {
            assertEquals(inJar, new TreeSet<String>(NativeLibrary.supportedPlatforms(jar)));
            // A platform without a library names them all in the error.
            ConnectorException e = assertThrows(ConnectorException.class,
                    () -> NativeLibrary.load("Mac OS X", "aarch64", null, jar));
            assertTrue(e.getMessage().contains("native libraries for: " + String.join(", ",
                    NativeLibrary.supportedPlatforms(jar)) + "."), e.getMessage());
            assertFalse(inJar.contains("macos-aarch64"));
        }
    }

    /**
     * Windows leaves every loaded copy behind (a loaded DLL cannot be deleted): copies written before
     * this JVM started are removed, this JVM's own and other files are not.
     */
    @Test
    void copiesOfEarlierJvmsAreDeleted(@TempDir Path dir) throws IOException {
        long started = System.currentTimeMillis() - 60_000;
        Path old = Files.write(dir.resolve("cloudblue_connect_boomi-0.1.0-123.dll"), new byte[] {1});
        Path otherVersion = Files.write(dir.resolve("cloudblue_connect_boomi-0.0.9-456.so"), new byte[] {1});
        Path fresh = Files.write(dir.resolve("cloudblue_connect_boomi-0.1.0-789.dll"), new byte[] {1});
        Path unrelated = Files.write(dir.resolve("other-123.dll"), new byte[] {1});
        for (Path p : Arrays.asList(old, otherVersion, unrelated)) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(started - 3_600_000));
        }
        assertEquals(2, NativeLibrary.deleteStaleCopies(dir, started));
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(otherVersion));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(unrelated));
        // A missing folder is no reason to fail the load.
        assertEquals(0, NativeLibrary.deleteStaleCopies(dir.resolve("missing"), started));
    }
}
