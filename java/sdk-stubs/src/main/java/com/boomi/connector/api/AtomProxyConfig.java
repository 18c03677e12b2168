// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

/**
 * The Atom's HTTP proxy settings ({@link AtomConfig#getProxyConfig()}). Members as in Boomi's public
 * connector sources; some may be newer than SDK 2.3.0, so the shim calls them defensively.
 */
public interface AtomProxyConfig {
    boolean isProxyEnabled();

    boolean isAuthenticationEnabled();

    String getProxyHost();

    String getProxyPort();

    String getProxyUser();

    String getProxyPassword();

    String getNonProxyHostsString();

    Iterable<String> getNonProxyHosts();
}
