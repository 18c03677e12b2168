package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.OAuth2Context;
import com.boomi.connector.api.PrivateKeyStore;
import com.boomi.connector.api.PropertyMap;
import com.boomi.connector.api.PublicKeyStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Connection and operation settings as the Atom hands them over: String for string/password
 * fields, Long for integer fields, Boolean for boolean fields.
 */
public final class RunnerPropertyMap extends HashMap<String, Object> implements PropertyMap {
    private static final long serialVersionUID = 1L;

    public RunnerPropertyMap() {
    }

    public RunnerPropertyMap(Map<String, ?> values) {
        super(values);
    }

    @Override
    public String getProperty(String key) {
        return getProperty(key, null);
    }

    @Override
    public String getProperty(String key, String defaultValue) {
        Object v = get(key);
        return v == null ? defaultValue : v.toString();
    }

    @Override
    public Boolean getBooleanProperty(String key) {
        return getBooleanProperty(key, null);
    }

    @Override
    public Boolean getBooleanProperty(String key, Boolean defaultValue) {
        Object v = get(key);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        return v == null ? defaultValue : Boolean.valueOf(v.toString());
    }

    @Override
    public Long getLongProperty(String key) {
        return getLongProperty(key, null);
    }

    @Override
    public Long getLongProperty(String key, Long defaultValue) {
        Object v = get(key);
        if (v instanceof Number) {
            return ((Number) v).longValue();
        }
        return v == null ? defaultValue : Long.valueOf(v.toString().trim());
    }

    @Override
    public PrivateKeyStore getPrivateKeyStoreProperty(String key) {
        Object v = get(key);
        return v instanceof PrivateKeyStore ? (PrivateKeyStore) v : null;
    }

    @Override
    public PublicKeyStore getPublicKeyStoreProperty(String key) {
        Object v = get(key);
        return v instanceof PublicKeyStore ? (PublicKeyStore) v : null;
    }

    @Override
    public OAuth2Context getOAuth2Context(String key) {
        Object v = get(key);
        return v instanceof OAuth2Context ? (OAuth2Context) v : null;
    }
}
