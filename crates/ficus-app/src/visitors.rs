//! Knowing a visitor again without keeping their address: a keyed hash
//! (HMAC-SHA256 under the archive's visitor key, kept in the database's
//! settings so every node shares it) of the address. Guest kudos keep it
//! for 90 days; hits keep it until the day is over.

use hmac::Mac;

/// The archive's key for hashing visitors' addresses.
#[derive(Clone)]
pub struct VisitorKey(Vec<u8>);

impl std::fmt::Debug for VisitorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitorKey(…)")
    }
}

/// The setting that holds the key.
pub const SETTING: &str = "visitor_key";

/// Days a guest's kudos keep the hash of their address (after that the
/// same guest could leave kudos on the work again).
pub const GUEST_KUDOS_KEY_DAYS: i64 = 90;

impl VisitorKey {
    pub fn new(key: Vec<u8>) -> VisitorKey {
        VisitorKey(key)
    }

    /// The key of the archive on `store` (made on first use).
    pub fn of(store: &ficus_store::Store) -> Result<VisitorKey, ficus_store::StoreError> {
        let key = store.setting_or_init(SETTING, ficus_core::account::random_token)?;
        Ok(VisitorKey(key.into_bytes()))
    }

    /// A guest at `ip`, as stored: 32 hex characters.
    pub fn guest(&self, ip: &str) -> String {
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(b"ficus-visitor\0");
        mac.update(ip.as_bytes());
        mac.finalize().into_bytes()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_address_hashes_alike_and_never_shows() {
        let k = VisitorKey::new(b"one".to_vec());
        assert_eq!(k.guest("203.0.113.7"), k.guest("203.0.113.7"));
        assert_ne!(k.guest("203.0.113.7"), k.guest("203.0.113.8"));
        assert_ne!(
            k.guest("203.0.113.7"),
            VisitorKey::new(b"two".to_vec()).guest("203.0.113.7")
        );
        assert_eq!(k.guest("203.0.113.7").len(), 32);
        assert!(!k.guest("203.0.113.7").contains("203"));
    }
}
