//! Consistency checks between hand-written files that must agree.

#[cfg(test)]
mod tests {
    use crate::util::root;

    /// The native methods `Native.java` declares, and the JNI exports the bridge defines for
    /// them, are the same set: a method missing on either side would only fail on an Atom, as an
    /// `UnsatisfiedLinkError` at first call.
    #[test]
    fn java_natives_and_bridge_exports_agree() {
        let java = std::fs::read_to_string(
            root().join("java/shim/src/main/java/com/cloudblue/connect/boomi/Native.java"),
        )
        .unwrap();
        let mut declared: Vec<String> = java
            .lines()
            .filter_map(|l| l.trim().strip_prefix("static native "))
            .filter_map(|rest| {
                let name_end = rest.find('(')?;
                rest[..name_end]
                    .split_whitespace()
                    .last()
                    .map(str::to_owned)
            })
            .collect();
        let bridge = std::fs::read_to_string(root().join("rust/bridge/src/lib.rs")).unwrap();
        let prefix = "extern \"system\" fn Java_com_cloudblue_connect_boomi_Native_";
        let mut exported: Vec<String> = bridge
            .match_indices(prefix)
            .map(|(i, _)| {
                bridge[i + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect()
            })
            .collect();
        declared.sort();
        exported.sort();
        assert!(
            !declared.is_empty(),
            "no native methods found in Native.java"
        );
        assert_eq!(declared, exported, "Native.java and rust/bridge disagree");
    }
}
