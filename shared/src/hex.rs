//! Lowercase hex, as tokens, tags and signatures are stored and sent.

use std::fmt::Write as _;

/// `bytes` as lowercase hex, two digits each.
pub(crate) fn encode(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut hex, byte| {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The bytes `text` spells in hex (either case); `None` unless it is pairs of hex digits
/// only (no sign, no spaces).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(encode(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(decode("000FabfF"), Some(vec![0x00, 0x0f, 0xab, 0xff]));
        for bad in ["0", "0g", "+f", " f", "é0", "abc"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn bytes_are_read_back_exactly(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let hex = encode(&bytes);
            prop_assert_eq!(hex.len(), bytes.len() * 2);
            prop_assert_eq!(decode(&hex), Some(bytes.clone()));
            prop_assert_eq!(decode(&hex.to_uppercase()), Some(bytes));
        }
    }
}
