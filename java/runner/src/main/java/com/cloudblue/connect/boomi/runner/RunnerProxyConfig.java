package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.AtomProxyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * An Atom proxy for the runner ({@code --proxy [user:password@]host:port}, {@code --non-proxy-hosts
 * a|b}), shaped like the Atom's own settings: the port is text, non-proxy hosts in Java's
 * {@code http.nonProxyHosts} form.
 */
public final class RunnerProxyConfig implements AtomProxyConfig {
    private final String host;
    private final String port;
    private final String user;
    private final String password;
    private final String nonProxyHosts;

    public RunnerProxyConfig(String host, String port, String user, String password, String nonProxyHosts) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.nonProxyHosts = nonProxyHosts;
    }

    /** {@code [user:password@]host:port}; the password is everything after the first colon. */
    public static RunnerProxyConfig parse(String spec, String nonProxyHosts) {
        String user = null;
        String password = null;
        String hostPort = spec;
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            String credentials = spec.substring(0, at);
            hostPort = spec.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon < 0 ? credentials : credentials.substring(0, colon);
            password = colon < 0 ? "" : credentials.substring(colon + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("--proxy expects [user:password@]host:port, got a value without a port");
        }
        return new RunnerProxyConfig(hostPort.substring(0, colon), hostPort.substring(colon + 1), user, password,
                nonProxyHosts);
    }

    @Override
    public boolean isProxyEnabled() {
        return true;
    }

    @Override
    public boolean isAuthenticationEnabled() {
        return user != null;
    }

    @Override
    public String getProxyHost() {
        return host;
    }

    @Override
    public String getProxyPort() {
        return port;
    }

    @Override
    public String getProxyUser() {
        return user;
    }

    @Override
    public String getProxyPassword() {
        return password;
    }

    @Override
    public String getNonProxyHostsString() {
        return nonProxyHosts;
    }

    @Override
    public Iterable<String> getNonProxyHosts() {
        List<String> hosts = new ArrayList<String>();
        if (nonProxyHosts != null) {
            for (String h : nonProxyHosts.split("\\|")) {
                if (!h.trim().isEmpty()) {
                    hosts.add(h.trim());
                }
            }
        }
        return hosts;
    }
}
