//! JNI entry points of `com.cloudblue.connect.boomi.Native` over [`connect_core::api`].
//!
//! Each `extern "system"` function only converts JNI values to Rust values and back. Errors and
//! panics become a thrown `com.cloudblue.connect.boomi.NativeException(code, message)` in exactly
//! one place, [`ThrowNative`]; nothing here unwinds into the JVM. Keep the functions in sync with
//! `java/shim/src/main/java/com/cloudblue/connect/boomi/Native.java` and `docs/architecture.md`.
#![deny(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::sync::Once;

use connect_core::api;
use connect_core::error::{CoreError, ErrorCode};
use connect_core::wire::Frame;
use jni::errors::{Error as JniError, ErrorPolicy};
use jni::objects::{JByteArray, JClass, JObjectArray, JString, JThrowable, JValue};
use jni::refs::Reference;
use jni::sys::{jbyteArray, jlong, jstring};
use jni::{Env, EnvUnowned, jni_sig, jni_str};

/// Why a native call failed: a core error, or a JNI failure while converting values.
#[derive(Debug)]
enum BridgeError {
    Core(CoreError),
    Jni(JniError),
}

impl From<CoreError> for BridgeError {
    fn from(e: CoreError) -> Self {
        BridgeError::Core(e)
    }
}

impl From<JniError> for BridgeError {
    fn from(e: JniError) -> Self {
        BridgeError::Jni(e)
    }
}

type Result<T> = std::result::Result<T, BridgeError>;

/// The error policy of every entry point: errors and panics are thrown as `NativeException`.
struct ThrowNative;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowNative {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        err: BridgeError,
    ) -> jni::errors::Result<T> {
        match err {
            BridgeError::Core(e) => throw(env, e.code.as_str(), &e.message),
            // A Java exception (e.g. OutOfMemoryError while allocating a result) is already
            // pending: let it propagate as it is.
            BridgeError::Jni(JniError::JavaException) if env.exception_check() => {}
            BridgeError::Jni(e) => throw(
                env,
                ErrorCode::Internal.as_str(),
                &format!("JNI conversion failed: {e}"),
            ),
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic payload".to_owned());
        let place = LAST_PANIC_LOCATION.with(|l| l.borrow_mut().take());
        let message = match place {
            Some(place) => format!("internal error in the native library: {text} (at {place})"),
            None => format!("internal error in the native library: {text}"),
        };
        throw(env, ErrorCode::Panic.as_str(), &message);
        Ok(T::default())
    }
}

/// Throws `NativeException(code, message)`, or a `RuntimeException` if that class cannot be
/// found or built (e.g. a shim/library version mismatch).
fn throw(env: &mut Env<'_>, code: &str, message: &str) {
    let native = (|| -> jni::errors::Result<()> {
        let class = env.find_class(jni_str!("com/cloudblue/connect/boomi/NativeException"))?;
        let jcode = JString::from_str(env, code)?;
        let jmessage = JString::from_str(env, message)?;
        let obj = env.new_object(
            &class,
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
            &[JValue::Object(&jcode), JValue::Object(&jmessage)],
        )?;
        let throwable = JThrowable::cast_local(env, obj)?;
        env.throw(throwable)
    })();
    if matches!(native, Err(JniError::JavaException)) && env.exception_check() {
        return; // thrown (Env::throw reports success as a pending JavaException)
    }
    env.exception_clear();
    let text = format!("{code}: {message}");
    // If even this fails there is nothing left to do but return the default value.
    let _ = env.throw_new(
        jni_str!("java/lang/RuntimeException"),
        jni::strings::JNIString::from(text),
    );
}

thread_local! {
    /// Set while this thread runs one of our native methods: our panic hook stays quiet then.
    static IN_NATIVE: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic of this thread happened, for the exception message.
    static LAST_PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per library copy) a panic hook that, inside a native call, records the panic's
/// location for the exception instead of printing to the Atom's stderr. Panics elsewhere (e.g. on
/// I/O worker threads) still go to the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_NATIVE.with(Cell::get) {
                let place = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                LAST_PANIC_LOCATION.with(|l| *l.borrow_mut() = place);
            } else {
                previous(info);
            }
        }));
    });
}

/// Resets [`IN_NATIVE`] when a native call ends, however it ends.
struct NativeScope(bool);

impl Drop for NativeScope {
    fn drop(&mut self) {
        IN_NATIVE.with(|f| f.set(self.0));
    }
}

/// The one wrapper of every entry point: runs `f` with panics caught and errors thrown.
fn run<'local, T: Default>(
    unowned: &mut EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> Result<T>,
) -> T {
    install_panic_hook();
    let _scope = NativeScope(IN_NATIVE.with(|flag| flag.replace(true)));
    unowned.with_env(f).resolve::<ThrowNative>()
}

/// The bytes of a Java `byte[]` argument that must not be null.
fn bytes(env: &Env<'_>, array: &JByteArray<'_>, what: &str) -> Result<Vec<u8>> {
    if array.is_null() {
        return Err(CoreError::invalid_request(format!("{what} is null")).into());
    }
    Ok(env.convert_byte_array(array)?)
}

fn handle(id: u64) -> Result<jlong> {
    jlong::try_from(id)
        .map_err(|_| CoreError::internal(format!("handle {id} does not fit a Java long")).into())
}

/// A Java handle as the core's id. Negative values cannot come from the core, so they map to ids
/// the handle table reports as never opened.
fn id(handle: jlong) -> u64 {
    handle as u64
}

fn byte_array(env: &mut Env<'_>, data: &[u8]) -> Result<jbyteArray> {
    Ok(env.byte_array_from_slice(data)?.into_raw())
}

/// `static native String version()`.
///
/// # Safety
/// Called by the JVM only, with the calling thread's JNI environment (as for every export below).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_version<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jstring {
    run(&mut env, |env| {
        Ok(JString::from_str(env, api::version())?.into_raw())
    })
}

/// `static native long clientOpen(byte[] connectionJson)`.
///
/// # Safety
/// Called by the JVM only; `connection_json` is a local reference of this call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_clientOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    connection_json: JByteArray<'local>,
) -> jlong {
    run(&mut env, |env| {
        handle(api::client_open(&bytes(
            env,
            &connection_json,
            "connectionJson",
        )?)?)
    })
}

/// `static native void clientClose(long client)`.
///
/// # Safety
/// Called by the JVM only.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_clientClose<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    run(&mut env, |_| Ok(api::client_close(id(client))?))
}

/// `static native byte[] testConnection(long client)`.
///
/// # Safety
/// Called by the JVM only.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_testConnection<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jbyteArray {
    run(&mut env, |env| {
        byte_array(env, &api::test_connection(id(client))?)
    })
}

/// `static native byte[] browse(byte[] browseJson)`.
///
/// # Safety
/// Called by the JVM only; `browse_json` is a local reference of this call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_browse<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    browse_json: JByteArray<'local>,
) -> jbyteArray {
    run(&mut env, |env| {
        let frame = api::browse(&bytes(env, &browse_json, "browseJson")?)?;
        byte_array(env, &frame)
    })
}

/// `static native long queryOpen(long client, byte[] queryJson)`.
///
/// # Safety
/// Called by the JVM only; `query_json` is a local reference of this call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_queryOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    query_json: JByteArray<'local>,
) -> jlong {
    run(&mut env, |env| {
        handle(api::query_open(
            id(client),
            &bytes(env, &query_json, "queryJson")?,
        )?)
    })
}

/// `static native byte[] queryNext(long cursor)`.
///
/// # Safety
/// Called by the JVM only.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_queryNext<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cursor: jlong,
) -> jbyteArray {
    run(&mut env, |env| {
        // The Java array is made inside `deliver`, so a failure to allocate it loses no document.
        // A page is written into Rust memory and copied across once: writing into the array
        // inside a JNI critical section would be one copy less, but the jni crate makes JNI calls
        // (an exception check) inside such a section, which HotSpot's `-Xcheck:jni` reports and
        // the JNI specification forbids.
        api::query_next_with(id(cursor), |frame| match frame {
            Frame::Written(bytes) => byte_array(env, bytes),
            Frame::Page(_) => byte_array(env, &frame.to_vec()),
        })?
    })
}

/// `static native void queryClose(long cursor)`.
///
/// # Safety
/// Called by the JVM only.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_queryClose<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cursor: jlong,
) {
    run(&mut env, |_| Ok(api::query_close(id(cursor))?))
}

/// `static native byte[] execute(long client, byte[] batchJson, byte[][] bodies)`.
///
/// # Safety
/// Called by the JVM only; `batch_json` and `bodies` are local references of this call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_execute<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    batch_json: JByteArray<'local>,
    bodies: JObjectArray<'local, JByteArray<'local>>,
) -> jbyteArray {
    run(&mut env, |env| {
        let batch = bytes(env, &batch_json, "batchJson")?;
        if bodies.is_null() {
            return Err(CoreError::invalid_request("bodies is null").into());
        }
        let n = bodies.len(env)?;
        let mut docs = Vec::with_capacity(n);
        for i in 0..n {
            let element = bodies.get_element(env, i)?;
            docs.push(if element.is_null() {
                None
            } else {
                Some(env.convert_byte_array(&element)?)
            });
            // Batches can be large: free each element's local reference right away.
            env.delete_local_ref(element);
        }
        let frame = api::execute(id(client), &batch, docs)?;
        byte_array(env, &frame)
    })
}

/// `static native void testHook(String name)`: test-only, inert unless
/// `CLOUDBLUE_CONNECT_TEST_HOOKS=1`.
///
/// # Safety
/// Called by the JVM only; `name` is a local reference of this call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_cloudblue_connect_boomi_Native_testHook<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    name: JString<'local>,
) {
    run(&mut env, |env| {
        let name = if name.is_null() {
            String::new()
        } else {
            name.try_to_string(env)?
        };
        Ok(api::test_hook(&name)?)
    })
}
