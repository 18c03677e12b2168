package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.AtomConfig;
import com.boomi.connector.api.AtomProxyConfig;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The Atom's proxy in the connection JSON, including Atoms whose SDK lacks some members. */
class ProxyJsonTest {
    /** An AtomProxyConfig answering from {@code values}; a method named in {@code missing} fails as on an old SDK. */
    private static AtomProxyConfig proxy(Map<String, Object> values, List<String> missing, boolean abstractError) {
        return (AtomProxyConfig) Proxy.newProxyInstance(ProxyJsonTest.class.getClassLoader(),
                new Class<?>[] {AtomProxyConfig.class}, (self, method, args) -> {
                    if (missing.contains(method.getName())) {
                        throw abstractError ? new AbstractMethodError(method.getName())
                                : new NoSuchMethodError(method.getName());
                    }
                    return values.get(method.getName());
                });
    }

    private static AtomConfig config(AtomProxyConfig p) {
        return (AtomConfig) Proxy.newProxyInstance(ProxyJsonTest.class.getClassLoader(),
                new Class<?>[] {AtomConfig.class}, (self, method, args) -> {
                    if (method.getName().equals("getProxyConfig")) {
                        return p;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Map<String, Object> full() {
        Map<String, Object> v = new HashMap<String, Object>();
        v.put("isProxyEnabled", true);
        v.put("isAuthenticationEnabled", true);
        v.put("getProxyHost", " proxy.corp ");
        v.put("getProxyPort", "3128");
        v.put("getProxyUser", "u");
        v.put("getProxyPassword", "pw");
        v.put("getNonProxyHostsString", "localhost|*.corp");
        v.put("getNonProxyHosts", Arrays.asList("localhost", "*.corp"));
        return v;
    }

    private final List<String> logged = new ArrayList<String>();
    private final Logger log = Logger.getAnonymousLogger();

    ProxyJsonTest() {
        log.setUseParentHandlers(false);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    void everyMemberIsPassed() {
        Map<String, Object> json = Requests.proxy(config(proxy(full(), new ArrayList<String>(), false)), log);
        assertEquals("{\"host\":\"proxy.corp\",\"port\":\"3128\",\"user\":\"u\",\"password\":\"pw\","
                + "\"nonProxyHosts\":\"localhost|*.corp\"}", new String(Json.toBytes(json),
                        java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(logged.isEmpty(), logged.toString());
    }

    @Test
    void disabledOrAbsentMeansNoProxy() {
        Map<String, Object> v = full();
        v.put("isProxyEnabled", false);
        assertNull(Requests.proxy(config(proxy(v, new ArrayList<String>(), false)), log));
        assertNull(Requests.proxy(config(null), log));
        v = full();
        v.put("isAuthenticationEnabled", false);
        Map<String, Object> json = Requests.proxy(config(proxy(v, new ArrayList<String>(), false)), log);
        assertNull(json.get("user"));
        assertNull(json.get("password"));
    }

    @Test
    void olderSdkMembersDegradeWithALogLine() {
        // No string getter: the list getter gives the bypass list.
        Map<String, Object> json = Requests.proxy(config(proxy(full(),
                Arrays.asList("getNonProxyHostsString"), true)), log);
        assertEquals("localhost|*.corp", json.get("nonProxyHosts"));
        assertTrue(logged.isEmpty(), logged.toString());
        // Neither getter: no bypass list, one warning.
        json = Requests.proxy(config(proxy(full(),
                Arrays.asList("getNonProxyHostsString", "getNonProxyHosts"), false)), log);
        assertNull(json.get("nonProxyHosts"));
        assertEquals("proxy.corp", json.get("host"));
        assertEquals(1, logged.size(), logged.toString());
        // No isProxyEnabled at all: no proxy, one more warning, and the password never logged.
        assertNull(Requests.proxy(config(proxy(full(), Arrays.asList("isProxyEnabled"), true)), log));
        assertEquals(2, logged.size(), logged.toString());
        assertTrue(logged.stream().noneMatch(l -> l.contains("pw")), logged.toString());
    }
}
