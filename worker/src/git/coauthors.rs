//! The people a commit message's `Co-authored-by:` trailers name, as git finds trailers
//! (the last paragraph of the message; gitoxide parses it), mapped through `.mailmap`.

use gitdash_shared::queries::coauthors::CoAuthor;
use gix::{bstr::ByteSlice, objs::commit::MessageRef};

use super::identity::IdentityMapper;

/// The co-authors `message` names, each once, leaving out the commit's own author
/// (`author_email`, after `.mailmap`) and trailers without an email in angle brackets.
pub fn coauthors_of(message: &[u8], author_email: &str, mapper: &mut IdentityMapper<'_>) -> Vec<CoAuthor> {
    let Some(body) = MessageRef::from_bytes(message).body() else { return Vec::new() };
    let mut found: Vec<CoAuthor> = Vec::new();
    for trailer in body.trailers().co_authored_by() {
        let Some((name, email)) = identity(trailer.value.as_bytes()) else { continue };
        let (mapped_name, mapped_email) = mapper.map(name.as_bstr(), email.as_bstr());
        let original_email = super::text::text(email.as_bstr());
        if mapped_email == author_email || found.iter().any(|f| f.original_email == original_email) {
            continue;
        }
        found.push(CoAuthor {
            name: mapped_name,
            email: mapped_email,
            original_name: super::text::text(name.as_bstr()),
            original_email,
        });
    }
    found
}

/// `Name <email>` split into its parts, trimmed.
fn identity(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let open = value.iter().rposition(|&b| b == b'<')?;
    let close = open + value[open..].iter().position(|&b| b == b'>')?;
    let email = value[open + 1..close].trim();
    if email.is_empty() {
        return None;
    }
    Some((value[..open].trim(), email))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(message: &str, author: &str) -> Vec<(String, String)> {
        let mailmap = gix::mailmap::Snapshot::from_bytes(b"Grace Hopper <grace@example.org> <gh@old.example>\n");
        let mut mapper = IdentityMapper::new(&mailmap);
        coauthors_of(message.as_bytes(), author, &mut mapper).into_iter().map(|c| (c.name, c.email)).collect()
    }

    #[test]
    fn trailers_of_the_last_paragraph_name_co_authors_after_mailmap() {
        let message = "Fix the parser\n\nA body.\n\nCo-authored-by: G. H. <gh@old.example>\nco-authored-by: Alan Turing <alan@example.org>\nSigned-off-by: Ada <ada@example.org>\n";
        assert_eq!(
            people(message, "ada@example.org"),
            [("Grace Hopper".into(), "grace@example.org".into()), ("Alan Turing".into(), "alan@example.org".into())]
        );
    }

    #[test]
    fn the_author_a_repeat_and_a_trailer_outside_the_last_paragraph_are_not_co_authors() {
        let message = "Pair on it\n\nCo-authored-by: Early <early@example.org>\n\nMore text.\n\nCo-authored-by: Ada <ada@example.org>\nCo-authored-by: Alan <alan@example.org>\nCo-authored-by: Alan T <alan@example.org>\nCo-authored-by: no email\n";
        assert_eq!(people(message, "ada@example.org"), [("Alan".into(), "alan@example.org".into())]);
        assert!(people("Just a summary", "ada@example.org").is_empty());
    }
}
