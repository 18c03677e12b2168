package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ConnectorException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads the Rust library once per class loader.
 *
 * <p>A JVM refuses to load one library file into two class loaders, and an Atom gives every connector
 * version its own class loader, so each loader copies the library out of its jar
 * ({@code /native/<os>-<arch>/<mapped name>}) into a unique temporary file and loads that copy. On
 * Linux and macOS the file is deleted right after loading (the mapping keeps it alive). Windows
 * cannot delete a loaded DLL, not even at JVM exit, so there each load first deletes the copies left
 * by JVMs that started earlier and have ended.
 *
 * <p>Developers can point the system property {@value #OVERRIDE_PROPERTY} at a library file; it is
 * copied the same way, so several class loaders can still use it.
 */
final class NativeLibrary {
    static final String LIBRARY = "cloudblue_connect_boomi";
    static final String OVERRIDE_PROPERTY = "cloudblue.connect.native.library";
    static final String ERROR_CODE = "NATIVE_LIBRARY";

    /** Every platform the build can produce; the jar may hold a subset. */
    private static final String[][] KNOWN_PLATFORMS = {
        {"linux", "x86_64"}, {"linux", "aarch64"}, {"macos", "x86_64"}, {"macos", "aarch64"},
        {"windows", "x86_64"}, {"windows", "aarch64"},
    };

    private static final Logger LOG = Logger.getLogger(NativeLibrary.class.getName());

    private static final String POLICY_ADVICE = "On a Boomi Runtime Cloud, ask the cloud owner to grant "
            + "java.lang.RuntimePermission \"loadLibrary.*\" and file read/write on the temp directory in the "
            + "cloud's security policy, or run the process on a local Atom.";

    /** Guarded by the class lock; set once the library answered {@code version()}. */
    private static String loadedVersion;

    private NativeLibrary() {
    }

    /**
     * Loads the library unless this class loader already did, and returns its version. A failure is
     * not remembered, so a later call (after, say, the temp directory was fixed) tries again.
     *
     * @throws ConnectorException code {@value #ERROR_CODE}, with a message saying what to do
     */
    static synchronized String ensureLoaded() {
        if (loadedVersion == null) {
            String osName;
            String osArch;
            String override;
            try {
                osName = System.getProperty("os.name", "");
                osArch = System.getProperty("os.arch", "");
                override = System.getProperty(OVERRIDE_PROPERTY);
            } catch (SecurityException e) {
                throw failure("?", "?", NativeLibrary.class.getClassLoader(), "the runtime's security policy "
                        + "forbids reading the system properties that name the platform (" + e.getMessage() + ")",
                        POLICY_ADVICE, e);
            }
            loadedVersion = load(osName, osArch, override, NativeLibrary.class.getClassLoader());
            LOG.log(Level.FINE, "CloudBlue Connect native library {0} loaded", loadedVersion);
        }
        return loadedVersion;
    }

    /** The loading steps, with the platform and the resource source as parameters so tests can vary them. */
    static String load(String osName, String osArch, String override, ClassLoader resources) {
        String platform = platform(osName, osArch);
        Path copy = null;
        try {
            if (override != null && !override.isEmpty()) {
                Path source = Paths.get(override).toAbsolutePath();
                if (!Files.isRegularFile(source)) {
                    throw failure(osName, osArch, resources, "the file named by -D" + OVERRIDE_PROPERTY + " does not exist: "
                            + source, "Fix the system property or remove it to use the library inside the connector.", null);
                }
                copy = tempFile(source.getFileName().toString());
                Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            } else {
                String resource = resourceName(platform, mappedName(osName));
                InputStream in = platform == null ? null : resources.getResourceAsStream(resource.substring(1));
                if (in == null) {
                    throw failure(osName, osArch, resources, "this connector version has no native library for this platform",
                            "Run the process on an Atom whose platform is in the supported list.", null);
                }
                try {
                    copy = tempFile(mappedName(osName));
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    in.close();
                }
            }
            System.load(copy.toAbsolutePath().toString());
            return Native.version();
        } catch (ConnectorException e) {
            throw e;
        } catch (SecurityException e) {
            throw failure(osName, osArch, resources, "the runtime's security policy forbids it (" + e.getMessage() + ")",
                    POLICY_ADVICE, e);
        } catch (RuntimeException e) {
            // JDK 22+ with --illegal-native-access=deny (the announced future default) throws
            // IllegalCallerException, a class Java 8 does not have, so it is matched by name.
            if (!"java.lang.IllegalCallerException".equals(e.getClass().getName())) {
                throw e;
            }
            throw failure(osName, osArch, resources, "the JVM denies native access to connectors (" + e.getMessage() + ")",
                    "Add the JVM option --enable-native-access=ALL-UNNAMED to the Atom (Atom Management > "
                            + "Properties > Custom JVM options, or atom.vmoptions) and restart it.", e);
        } catch (UnsatisfiedLinkError e) {
            throw failure(osName, osArch, resources, "the library could not be linked (" + e.getMessage() + ")",
                    "Check that the temp directory allows executable files (not mounted noexec) and that the "
                            + "operating system is recent enough (Linux needs glibc 2.17 or later; see the user "
                            + "guide's requirements).", e);
        } catch (IOException e) {
            throw failure(osName, osArch, resources, "the library could not be copied to the temp directory "
                    + tempDirectory() + " (" + e + ")",
                    "Make sure the Atom's temp directory exists, is writable and has space.", e);
        } finally {
            if (copy != null) {
                forget(copy);
            }
        }
    }

    /** {@code java.io.tmpdir}, or a placeholder when the security policy hides it. */
    private static String tempDirectory() {
        try {
            return System.getProperty("java.io.tmpdir");
        } catch (SecurityException e) {
            return "(java.io.tmpdir, not readable here)";
        }
    }

    /** {@code linux-x86_64} and the like, or {@code null} when os or arch is not one the build knows. */
    static String platform(String osName, String osArch) {
        String os = osFamily(osName);
        String arch = archName(osArch);
        return os == null || arch == null ? null : os + "-" + arch;
    }

    static String resourceName(String platform, String mappedName) {
        return "/native/" + platform + "/" + mappedName;
    }

    /** The platforms this jar (as seen by {@code resources}) holds a library for. */
    static List<String> supportedPlatforms(ClassLoader resources) {
        List<String> found = new ArrayList<String>();
        for (String[] p : KNOWN_PLATFORMS) {
            String platform = p[0] + "-" + p[1];
            String name = resourceName(platform, mappedName(p[0])).substring(1);
            if (resources.getResource(name) != null) {
                found.add(platform);
            }
        }
        return found;
    }

    private static String osFamily(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        } else if (os.startsWith("windows")) {
            return "windows";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "macos";
        }
        return null;
    }

    private static String archName(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return "x86_64";
        } else if (arch.equals("aarch64") || arch.equals("arm64")) {
            return "aarch64";
        }
        return null;
    }

    /** {@code System.mapLibraryName} for the given OS, not just the running one. */
    private static String mappedName(String osNameOrFamily) {
        String os = osFamily(osNameOrFamily);
        if ("windows".equals(os)) {
            return LIBRARY + ".dll";
        } else if ("macos".equals(os)) {
            return "lib" + LIBRARY + ".dylib";
        }
        return "lib" + LIBRARY + ".so";
    }

    /** A fresh private file (mode 0600 on POSIX) whose name shows the connector version. */
    private static Path tempFile(String fileName) throws IOException {
        int dot = fileName.lastIndexOf('.');
        String suffix = dot < 0 ? "" : fileName.substring(dot);
        Path file = Files.createTempFile(LIBRARY + "-" + version() + "-", suffix);
        deleteStaleCopies(file.getParent(), jvmStartMillis());
        return file;
    }

    /**
     * Deletes the library copies (of any connector version) in {@code dir} last written before
     * {@code before}. A JVM never unloads a library and Windows refuses to delete a loaded DLL, so
     * {@code deleteOnExit} cannot remove a copy there and every JVM that loaded the connector (each
     * Atom start, each forked execution) would leave one behind. A copy that a running JVM has
     * loaded cannot be deleted and stays; copies written since this JVM started are left alone, as
     * another class loader of this JVM may be about to load its own. Never fails the load.
     *
     * @return how many copies were deleted
     */
    static int deleteStaleCopies(Path dir, long before) {
        int deleted = 0;
        try (DirectoryStream<Path> copies = Files.newDirectoryStream(dir, LIBRARY + "-*")) {
            for (Path copy : copies) {
                try {
                    if (Files.getLastModifiedTime(copy).toMillis() < before && Files.deleteIfExists(copy)) {
                        deleted++;
                    }
                } catch (IOException e) {
                    LOG.log(Level.FINE, "{0} stays (in use by a running JVM?): {1}", new Object[] {copy, e});
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not look for old library copies in " + dir, e);
        }
        return deleted;
    }

    /** When this JVM started, or 0 (delete nothing) when the runtime does not say. */
    private static long jvmStartMillis() {
        try {
            return ManagementFactory.getRuntimeMXBean().getStartTime();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    private static String version() {
        Package pkg = NativeLibrary.class.getPackage();
        String v = pkg == null ? null : pkg.getImplementationVersion();
        return v == null ? "dev" : v.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Removes the copy once loaded (or failed). Windows refuses while the DLL is loaded; the request
     * to delete it at exit covers a copy that failed to load, and the next JVM deletes the others.
     */
    private static void forget(Path copy) {
        File file = copy.toFile();
        if (File.separatorChar == '\\') {
            file.deleteOnExit();
        } else if (!file.delete()) {
            LOG.log(Level.FINE, "could not delete {0}", file);
        }
    }

    private static ConnectorException failure(String osName, String osArch, ClassLoader resources, String cause,
            String advice, Throwable thrown) {
        List<String> supported = supportedPlatforms(resources);
        String platform = platform(osName, osArch);
        String where = "os.name=" + osName + ", os.arch=" + osArch;
        String message = "The CloudBlue Connect connector cannot load its native library for "
                + (platform == null ? "this platform" : platform) + " (" + where + "): " + cause + ". "
                + "This connector version contains native libraries for: "
                + (supported.isEmpty() ? "none" : String.join(", ", supported)) + ". " + advice;
        // No cause on the exception: the SDK would append its text to the message a second time.
        if (thrown != null) {
            LOG.log(Level.FINE, "native library load failed", thrown);
        }
        return Frames.shown(ERROR_CODE, message, thrown);
    }
}
