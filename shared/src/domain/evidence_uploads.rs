//! The uploads a mentor names as evidence in a verification request.

use serde::{Deserialize, Serialize};

use super::{Invalid, UploadId};

/// One to [`EvidenceUploads::MAX`] distinct upload ids, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<UploadId>", into = "Vec<UploadId>")]
pub struct EvidenceUploads(Vec<UploadId>);

impl EvidenceUploads {
    /// Most uploads one request may name.
    pub const MAX: usize = 5;

    /// Checks there are 1 to 5 ids and none repeats.
    pub fn new(ids: Vec<UploadId>) -> Result<Self, Invalid> {
        if ids.is_empty() {
            return Err(Invalid::new("must name at least one upload (an ID document)"));
        }
        if ids.len() > Self::MAX {
            return Err(Invalid::new("must name at most 5 uploads"));
        }
        if ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id)) {
            return Err(Invalid::new("must not name an upload twice"));
        }
        Ok(Self(ids))
    }

    /// The ids, in the order given.
    pub fn ids(&self) -> &[UploadId] {
        &self.0
    }
}

impl TryFrom<Vec<UploadId>> for EvidenceUploads {
    type Error = Invalid;

    fn try_from(ids: Vec<UploadId>) -> Result<Self, Invalid> {
        Self::new(ids)
    }
}

impl From<EvidenceUploads> for Vec<UploadId> {
    fn from(evidence: EvidenceUploads) -> Self {
        evidence.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use ulid::Ulid;

    use super::*;

    fn id(n: u128) -> UploadId {
        UploadId::new(Ulid(n))
    }

    #[test]
    fn one_to_five_distinct_ids() {
        assert!(EvidenceUploads::new(vec![]).is_err());
        assert_eq!(EvidenceUploads::new(vec![id(1)]).unwrap().ids(), [id(1)]);
        assert!(EvidenceUploads::new((1..=5).map(id).collect()).is_ok());
        assert_eq!(
            EvidenceUploads::new((1..=6).map(id).collect()).unwrap_err().reason(),
            "must name at most 5 uploads"
        );
        assert_eq!(
            EvidenceUploads::new(vec![id(1), id(2), id(1)]).unwrap_err().reason(),
            "must not name an upload twice"
        );
        assert!(serde_json::from_str::<EvidenceUploads>("[]").is_err());
    }

    proptest! {
        #[test]
        fn accepted_exactly_when_short_and_distinct(raw in prop::collection::vec(0u128..8, 0..8)) {
            let ids: Vec<UploadId> = raw.iter().copied().map(id).collect();
            let distinct = raw.iter().enumerate().all(|(i, n)| !raw[..i].contains(n));
            let ok = EvidenceUploads::new(ids.clone()).map(|e| e.ids().to_vec());
            prop_assert_eq!(ok.is_ok(), !raw.is_empty() && raw.len() <= 5 && distinct);
            if let Ok(kept) = ok {
                prop_assert_eq!(kept, ids);
            }
        }
    }
}
