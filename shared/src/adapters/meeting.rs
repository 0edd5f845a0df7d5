//! Meeting links for confirmed sessions.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::Booking;
use crate::ports::MeetingRooms;

/// Jitsi Meet rooms: no account or credentials needed. The room name carries 128 random
/// bits, so it cannot be guessed, and it is fixed once, when the session is confirmed.
#[derive(Debug, Clone, Default)]
pub struct JitsiRooms;

impl MeetingRooms for JitsiRooms {
    fn room_for(&self, _booking: &Booking) -> Result<String, String> {
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret).map_err(|e| e.to_string())?;
        Ok(format!("https://meet.jit.si/peerlearn-{}", URL_SAFE_NO_PAD.encode(secret)))
    }
}
