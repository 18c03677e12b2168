//! TLS trust: a local HTTPS server whose certificate comes from a freshly made private CA is
//! refused (with a message that says what to do) until that CA is given as the connection's
//! "Extra CA Certificate (PEM)".

use std::io::Write as _;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use connect_core::api;
use connect_core::error::ErrorCode;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

struct Pki {
    ca_pem: String,
    server_config: Arc<rustls::ServerConfig>,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "connect-core test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca_cert.der().clone()], key)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(server_config),
    }
}

/// An HTTPS server on 127.0.0.1 answering every request with one account; counts the requests
/// that got through the handshake.
fn serve(config: Arc<rustls::ServerConfig>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let count = Arc::clone(&count);
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                    let body = br#"[{"id":"PA-000-000","name":"TLS Test Account"}]"#;
                    let mut resp = Vec::new();
                    write!(
                        resp,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .unwrap();
                    resp.extend_from_slice(body);
                    let _ = tls.write_all(&resp).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    (port, served)
}

fn connection(port: u16, extra_ca_pem: Option<&str>) -> Vec<u8> {
    let mut props = serde_json::json!({
        "endpoint": format!("https://127.0.0.1:{port}/public/v1"),
        "apiToken": "SU-000-000-000:tlsTestSecret0123456789",
        "maxAttempts": 1,
    });
    if let Some(pem) = extra_ca_pem {
        props["extraCaPem"] = pem.into();
    }
    serde_json::to_vec(&serde_json::json!({ "properties": props })).unwrap()
}

fn test_connection(json: &[u8]) -> connect_core::error::Result<Vec<u8>> {
    let client = api::client_open(json)?;
    let result = api::test_connection(client);
    api::client_close(client).unwrap();
    result
}

#[test]
fn private_ca_is_refused_without_the_pem_and_trusted_with_it() {
    let pki = make_pki();
    let (port, served) = serve(Arc::clone(&pki.server_config));

    let err = test_connection(&connection(port, None)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Tls, "{}", err.message);
    assert!(
        err.message.contains("Extra CA Certificate (PEM)"),
        "the message should say what to do: {}",
        err.message
    );
    assert!(!err.message.contains("tlsTestSecret"), "{}", err.message);
    assert_eq!(
        served.load(Ordering::SeqCst),
        0,
        "no request may pass a failed handshake"
    );

    let frame =
        test_connection(&connection(port, Some(&pki.ca_pem))).expect("trusted with the PEM");
    assert!(
        String::from_utf8_lossy(&frame).contains("TLS Test Account"),
        "test connection should name the account"
    );
    assert_eq!(served.load(Ordering::SeqCst), 1);

    // Another CA's certificate does not help.
    let other = make_pki();
    let err = test_connection(&connection(port, Some(&other.ca_pem))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Tls, "{}", err.message);
}

#[test]
fn unreadable_pem_is_a_settings_error_naming_the_field() {
    for pem in [
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    ] {
        let err = api::client_open(&connection(443, Some(pem))).unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::InvalidSettings,
            "{pem}: {}",
            err.message
        );
        assert!(
            err.message.contains("Extra CA Certificate (PEM)"),
            "{}",
            err.message
        );
    }
}
