package com.cloudblue.connect.boomi.runner;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.Enumeration;

/**
 * The parent of every connector class loader: it shows the connector the JDK and the Boomi SDK
 * ({@code com.boomi.*}) and nothing else, as an Atom does. Without it, a runner whose own class path
 * happens to hold the shim classes would hand the connector those instead of the archive's copy.
 */
final class SdkOnlyClassLoader extends ClassLoader {
    private final ClassLoader sdk;

    SdkOnlyClassLoader(ClassLoader sdk) {
        super(platformLoader());
        this.sdk = sdk;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("com.boomi.")) {
            return sdk.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith("com/boomi/") ? sdk.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return name.startsWith("com/boomi/") ? sdk.getResources(name) : super.getResources(name);
    }

    /**
     * Java 9+ splits the JDK between the boot and the platform loader; Java 8 has only the boot loader
     * (represented by {@code null}). The runner compiles for Java 8, hence the reflective call.
     */
    private static ClassLoader platformLoader() {
        try {
            Method m = ClassLoader.class.getMethod("getPlatformClassLoader");
            return (ClassLoader) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
