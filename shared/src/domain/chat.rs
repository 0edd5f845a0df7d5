//! Chat between two members: messages, and each member's view of a conversation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ClientMsgId, ConversationId, MessageText, UserId};

ulid_id! {
    /// A chat message; ULIDs sort by time, so newest-first is a reverse key order.
    MessageId
}

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// The message.
    pub id: MessageId,
    /// Where it was sent.
    pub conversation_id: ConversationId,
    /// Who sent it.
    pub sender: UserId,
    /// What they wrote.
    pub text: MessageText,
    /// The sender's id for this send; a retry with the same id is the same message.
    pub client_msg_id: ClientMsgId,
    /// When the platform stored it.
    pub sent_at: DateTime<Utc>,
}

/// How long the list of conversations shows of the last message.
pub const PREVIEW_CHARS: usize = 140;

impl Message {
    /// The start of the text, for conversation lists and notifications.
    pub fn preview(&self) -> String {
        let text = self.text.as_str();
        match text.char_indices().nth(PREVIEW_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        }
    }
}

/// One member's view of a conversation: the last message and what they have not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConversationSummary {
    /// The conversation.
    pub id: ConversationId,
    /// The other member.
    pub with: UserId,
    /// The latest message.
    pub last_message: MessagePreview,
    /// Messages from the other member after the last one this member read.
    pub unread: u32,
    /// The last message this member read, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_read: Option<MessageId>,
}

/// The latest message of a conversation, shortened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MessagePreview {
    /// The message.
    pub id: MessageId,
    /// Who sent it.
    pub sender: UserId,
    /// Its first [`PREVIEW_CHARS`] characters.
    pub text: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

impl From<&Message> for MessagePreview {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id.clone(),
            sender: message.sender.clone(),
            text: message.preview(),
            sent_at: message.sent_at,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn message(text: &str) -> Message {
        let a = UserId::new(ulid::Ulid::new());
        let b = UserId::new(ulid::Ulid::new());
        Message {
            id: MessageId::new(ulid::Ulid::new()),
            conversation_id: ConversationId::between(&a, &b).unwrap(),
            sender: a,
            text: MessageText::parse(text).unwrap(),
            client_msg_id: ClientMsgId::parse("c-1").unwrap(),
            sent_at: Utc::now(),
        }
    }

    #[test]
    fn short_text_previews_whole() {
        assert_eq!(message("hello").preview(), "hello");
    }

    #[test]
    fn long_text_previews_cut_on_a_character_boundary() {
        let text = "é".repeat(PREVIEW_CHARS + 10);
        let preview = message(&text).preview();
        assert_eq!(preview.chars().count(), PREVIEW_CHARS + 1);
        assert!(preview.ends_with('…'));
        assert!(preview.starts_with(&"é".repeat(PREVIEW_CHARS)));
    }

    #[test]
    fn exactly_preview_length_is_not_cut() {
        let text = "a".repeat(PREVIEW_CHARS);
        assert_eq!(message(&text).preview(), text);
    }
}
