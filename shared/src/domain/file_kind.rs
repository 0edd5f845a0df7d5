//! The kinds of file the platform takes, by declared content type and by magic bytes.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// A kind of file an upload may be: PDF, JPEG or PNG. Serialised as its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum FileKind {
    /// `application/pdf`.
    #[serde(rename = "application/pdf")]
    Pdf,
    /// `image/jpeg`.
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// `image/png`.
    #[serde(rename = "image/png")]
    Png,
}

/// How many leading bytes [`FileKind::sniff`] needs (the PNG signature is the longest).
pub const SNIFF_BYTES: usize = 8;

const PDF_MAGIC: &[u8] = b"%PDF-";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

impl FileKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Pdf, Self::Jpeg, Self::Png];

    /// The canonical content type, exactly as the upload must declare it.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// A declared content type. Media types are case-insensitive (RFC 9110), so any case
    /// is taken; parameters are not, as the type is signed into the upload URL as is.
    pub fn from_content_type(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.content_type().eq_ignore_ascii_case(raw))
            .ok_or(Invalid::new("must be application/pdf, image/jpeg or image/png"))
    }

    /// The kind a file's first bytes show, whatever it was called: `None` for anything
    /// else. Needs [`SNIFF_BYTES`] bytes to tell a PNG.
    pub fn sniff(first_bytes: &[u8]) -> Option<Self> {
        [(Self::Pdf, PDF_MAGIC), (Self::Jpeg, JPEG_MAGIC), (Self::Png, PNG_MAGIC)]
            .into_iter()
            .find(|(_, magic)| first_bytes.starts_with(magic))
            .map(|(kind, _)| kind)
    }

    /// Whether this kind is an image (the only kinds an avatar may be).
    pub const fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn declared_types_parse_in_any_case_and_nothing_else() {
        assert_eq!(FileKind::from_content_type("application/pdf"), Ok(FileKind::Pdf));
        assert_eq!(FileKind::from_content_type("IMAGE/PNG"), Ok(FileKind::Png));
        assert_eq!(FileKind::from_content_type("image/jpeg"), Ok(FileKind::Jpeg));
        for bad in ["", "image/gif", "image/jpg", "text/html", "application/pdf; charset=utf-8", " image/png"] {
            assert!(FileKind::from_content_type(bad).is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::to_string(&FileKind::Png).unwrap(), "\"image/png\"");
        assert_eq!(serde_json::from_str::<FileKind>("\"application/pdf\"").unwrap(), FileKind::Pdf);
    }

    #[test]
    fn magic_bytes_tell_the_kind() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]), Some(FileKind::Png));
        // A PNG cut short, an HTML page and an empty file are none of them.
        assert_eq!(FileKind::sniff(&[0x89, b'P', b'N', b'G']), None);
        assert_eq!(FileKind::sniff(b"<html>"), None);
        assert_eq!(FileKind::sniff(b""), None);
        assert!(FileKind::Png.is_image() && FileKind::Jpeg.is_image() && !FileKind::Pdf.is_image());
    }

    proptest! {
        #[test]
        fn sniffing_looks_at_the_first_bytes_only(head in prop::collection::vec(any::<u8>(), 0..16), tail in prop::collection::vec(any::<u8>(), 0..16)) {
            if let Some(kind) = FileKind::sniff(&head) {
                let mut longer = head.clone();
                longer.extend(tail);
                prop_assert_eq!(FileKind::sniff(&longer), Some(kind));
                prop_assert_eq!(FileKind::sniff(&longer[..SNIFF_BYTES.min(longer.len())]), Some(kind));
            }
        }

        #[test]
        fn content_types_parse_exactly(raw in any::<String>()) {
            if let Ok(kind) = FileKind::from_content_type(&raw) {
                prop_assert!(kind.content_type().eq_ignore_ascii_case(&raw));
            }
        }
    }
}
