//! Percent-encoding (RFC 3986): form fields and path segments for Stripe, object keys for S3.

/// Appends `text` to `out`, every byte but the unreserved characters (`A-Z a-z 0-9 - _ . ~`)
/// percent-encoded in uppercase hex.
pub(crate) fn encode_into(out: &mut String, text: &str) {
    encode_keeping(out, text, b"")
}

/// `path` with each `/`-separated segment encoded as [`encode_into`] does and the slashes
/// kept: an S3 object key in a URL (and in the signature's canonical path).
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    encode_keeping(&mut out, path, b"/");
    out
}

fn encode_keeping(out: &mut String, text: &str, kept: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') || kept.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// The bytes `encoded` stands for (the tests' way back).
#[cfg(test)]
pub(crate) fn decode(encoded: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = encoded.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            out.extend(crate::hex::decode(std::str::from_utf8(tail.get(..2)?).ok()?)?);
            rest = &tail[2..];
        } else {
            out.push(first);
            rest = tail;
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::{decode, encode_into, encode_path};

    #[test]
    fn paths_keep_their_slashes_and_encode_the_rest() {
        assert_eq!(encode_path("a/b-c_d.e~f"), "a/b-c_d.e~f");
        assert_eq!(encode_path("a b+é"), "a%20b%2B%C3%A9");
        let mut field = String::new();
        encode_into(&mut field, "a/b c");
        assert_eq!(field, "a%2Fb%20c");
    }

    proptest! {
        #[test]
        fn any_text_is_encoded_into_unreserved_characters_and_back(text in any::<String>()) {
            let mut encoded = String::new();
            encode_into(&mut encoded, &text);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            prop_assert_eq!(decode(&encoded).unwrap(), text.as_bytes());
        }

        #[test]
        fn an_encoded_path_decodes_to_itself(key in "\\PC{0,40}") {
            let encoded = encode_path(&key);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)));
            prop_assert_eq!(String::from_utf8(decode(&encoded).unwrap()).unwrap(), key);
        }
    }
}
