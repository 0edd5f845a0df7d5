//! One-time phone codes: six digits, kept only as an HMAC-SHA256 under the server's code
//! key, so a copy of the table does not give the codes away (a million candidates are
//! nothing to brute-force without the key).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::KeyError;
use crate::domain::Invalid;

/// The HMAC key phone codes are sealed with (`CODE_KEY`); only the function that sends and
/// checks codes holds it.
#[derive(Clone)]
pub struct CodeKey(Vec<u8>);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(***)")
    }
}

/// A code as texted or typed: exactly six digits.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneCode(String);

impl std::fmt::Debug for PhoneCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhoneCode(******)")
    }
}

impl PhoneCode {
    /// A new code, uniform over 000000-999999 (rejection sampling: no modulo bias).
    pub fn generate() -> Result<Self, getrandom::Error> {
        loop {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes)?;
            let value = u32::from_le_bytes(bytes);
            // The largest multiple of 1,000,000 that fits, so every code is equally likely.
            if value < 4_294_000_000 {
                return Ok(Self(format!("{:06}", value % 1_000_000)));
            }
        }
    }

    /// Reads a typed code: six digits, spaces around ignored.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new("must be the 6 digits of the text"))
        }
    }

    /// The digits, for the text message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

type HmacSha256 = Hmac<Sha256>;

impl CodeKey {
    /// At least 32 bytes of secret text.
    pub fn new(secret: &str) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::Format("must be at least 32 bytes"));
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    fn mac(&self, context: &str, code: &PhoneCode) -> Result<HmacSha256, KeyError> {
        let mut mac = HmacSha256::new_from_slice(&self.0).map_err(|_| KeyError::Format("unusable key"))?;
        // The context (what the code is for, whose, which number) is bound in: a code for
        // one purpose or number never opens another's.
        mac.update(context.as_bytes());
        mac.update(b"\0");
        mac.update(code.0.as_bytes());
        Ok(mac)
    }

    /// The sealed form of `code` for `context`, hex: the only form stored.
    pub fn seal(&self, context: &str, code: &PhoneCode) -> Result<String, KeyError> {
        let tag = self.mac(context, code)?.finalize().into_bytes();
        Ok(crate::hex::encode(&tag))
    }

    /// Whether `code` is the one `sealed` holds for `context`, compared in constant time.
    pub fn opens(&self, context: &str, code: &PhoneCode, sealed: &str) -> bool {
        let Some(tag) = crate::hex::decode(sealed) else { return false };
        self.mac(context, code).is_ok_and(|mac| mac.verify_slice(&tag).is_ok())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key() -> CodeKey {
        CodeKey::new("a code key of thirty-two bytes or more").unwrap()
    }

    #[test]
    fn a_sealed_code_opens_only_with_its_code_context_and_key() {
        let code = PhoneCode::parse("042917").unwrap();
        let sealed = key().seal("verify#member#+14155552671", &code).unwrap();
        assert_eq!(sealed.len(), 64);
        assert!(!sealed.contains("042917"));
        assert!(key().opens("verify#member#+14155552671", &code, &sealed));
        assert!(!key().opens("verify#member#+14155552672", &code, &sealed));
        assert!(!key().opens("signin#+14155552671", &code, &sealed));
        assert!(!key().opens("verify#member#+14155552671", &PhoneCode::parse("042918").unwrap(), &sealed));
        let other = CodeKey::new("another key, also thirty-two bytes long").unwrap();
        assert!(!other.opens("verify#member#+14155552671", &code, &sealed));
        assert!(!key().opens("verify#member#+14155552671", &code, "not hex"));
    }

    #[test]
    fn short_keys_are_refused_and_never_shown() {
        assert!(CodeKey::new("short").is_err());
        assert_eq!(format!("{:?}", key()), "CodeKey(***)");
        assert_eq!(format!("{:?}", PhoneCode::parse("123456").unwrap()), "PhoneCode(******)");
    }

    #[test]
    fn codes_are_six_digits() {
        for raw in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
            assert!(PhoneCode::parse(raw).is_err(), "{raw}");
        }
        assert_eq!(PhoneCode::parse(" 000001 ").unwrap().expose(), "000001");
        for _ in 0..100 {
            let code = PhoneCode::generate().unwrap();
            assert!(PhoneCode::parse(code.expose()).is_ok());
        }
    }

    proptest! {
        #[test]
        fn only_six_ascii_digits_parse(raw in "[0-9a ]{0,8}") {
            let trimmed = raw.trim();
            let digits = trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(PhoneCode::parse(&raw).is_ok(), digits);
        }
    }
}
