//! What an upload is for, and the size rule that goes with it.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// What a member uploads a file for, serialised `id_document`, `transcript`, `certificate`
/// or `avatar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadPurpose {
    /// A passport or identity card, evidence for mentor verification.
    IdDocument,
    /// An academic transcript, evidence for mentor verification.
    Transcript,
    /// A certificate of a skill or a degree, evidence for mentor verification.
    Certificate,
    /// The member's profile picture.
    Avatar,
}

/// The largest document (identity document, transcript, certificate): 10 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
/// The largest avatar: 2 MB.
pub const MAX_AVATAR_BYTES: u64 = 2 * 1024 * 1024;

impl UploadPurpose {
    /// Every purpose.
    pub const ALL: [Self; 4] = [Self::IdDocument, Self::Transcript, Self::Certificate, Self::Avatar];

    /// The serialised form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IdDocument => "id_document",
            Self::Transcript => "transcript",
            Self::Certificate => "certificate",
            Self::Avatar => "avatar",
        }
    }

    /// Parses the serialised form.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|purpose| purpose.as_str() == raw)
            .ok_or(Invalid::new("must be id_document, transcript, certificate or avatar"))
    }

    /// The largest file this purpose takes, in bytes.
    pub const fn max_bytes(self) -> u64 {
        match self {
            Self::Avatar => MAX_AVATAR_BYTES,
            Self::IdDocument | Self::Transcript | Self::Certificate => MAX_DOCUMENT_BYTES,
        }
    }

    /// Checks a declared size: at least one byte and at most [`Self::max_bytes`].
    pub fn check_size(self, size_bytes: u64) -> Result<u64, Invalid> {
        if size_bytes == 0 {
            return Err(Invalid::new("must be at least 1 byte"));
        }
        if size_bytes > self.max_bytes() {
            return Err(match self {
                Self::Avatar => Invalid::new("an avatar must be at most 2 MB (2097152 bytes)"),
                _ => Invalid::new("a document must be at most 10 MB (10485760 bytes)"),
            });
        }
        Ok(size_bytes)
    }
}

impl fmt::Display for UploadPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn serialised_forms_are_the_wire_names() {
        for (purpose, text) in [
            (UploadPurpose::IdDocument, "id_document"),
            (UploadPurpose::Transcript, "transcript"),
            (UploadPurpose::Certificate, "certificate"),
            (UploadPurpose::Avatar, "avatar"),
        ] {
            assert_eq!(serde_json::to_string(&purpose).unwrap(), format!("\"{text}\""));
            assert_eq!(UploadPurpose::parse(text).unwrap(), purpose);
            assert_eq!(purpose.to_string(), text);
        }
        assert!(UploadPurpose::parse("Avatar").is_err());
        assert!(serde_json::from_str::<UploadPurpose>("\"selfie\"").is_err());
    }

    #[test]
    fn documents_take_10_mb_and_avatars_2_mb() {
        assert_eq!(UploadPurpose::Transcript.check_size(10_485_760), Ok(10_485_760));
        assert!(UploadPurpose::Transcript.check_size(10_485_761).is_err());
        assert_eq!(UploadPurpose::Avatar.check_size(2_097_152), Ok(2_097_152));
        assert!(UploadPurpose::Avatar.check_size(2_097_153).is_err());
        assert!(UploadPurpose::IdDocument.check_size(0).is_err());
    }

    proptest! {
        #[test]
        fn a_size_is_accepted_exactly_within_the_purposes_bounds(size in any::<u64>(), which in 0usize..4) {
            let purpose = UploadPurpose::ALL[which];
            let accepted = purpose.check_size(size).is_ok();
            prop_assert_eq!(accepted, size >= 1 && size <= purpose.max_bytes());
            prop_assert!(purpose.max_bytes() <= MAX_DOCUMENT_BYTES);
        }

        #[test]
        fn parse_never_panics_and_round_trips(raw in any::<String>()) {
            if let Ok(purpose) = UploadPurpose::parse(&raw) {
                prop_assert_eq!(purpose.as_str(), raw.as_str());
            }
        }
    }
}
