//! Secrets sealed with age (<https://age-encryption.org/v1>), so that they can live in git:
//! recipients (`age1…` X25519 keys and `ssh-ed25519`/`ssh-rsa` public keys) to encrypt to,
//! identities to decrypt with, and the two operations on bytes. Files encrypted here open
//! with the `age` and `rage` tools and the other way round. No I/O: the secrets directory
//! (`secrets`) reads and writes the files.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::sync::Arc;

/// The public keys secrets are encrypted to, as written and as keys.
#[derive(Clone)]
pub struct Recipients {
    keys: Arc<Vec<Box<dyn age::Recipient + Send + Sync>>>,
    /// Each recipient as written, in order, for messages and `recipients.txt`.
    pub written: Vec<String>,
}

impl fmt::Debug for Recipients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipients")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

/// One recipient: an age X25519 public key (`age1…`) or an SSH public key
/// (`ssh-ed25519 …`, `ssh-rsa …`).
pub fn recipient(text: &str) -> Result<Box<dyn age::Recipient + Send + Sync>, String> {
    let text = text.trim();
    if let Ok(key) = text.parse::<age::x25519::Recipient>() {
        return Ok(Box::new(key));
    }
    match text.parse::<age::ssh::Recipient>() {
        Ok(key) => Ok(Box::new(key)),
        Err(_) => Err(
            "not an age recipient: expected an `age1…` public key (from `age-keygen`) or an `ssh-ed25519`/`ssh-rsa` public key"
                .to_owned(),
        ),
    }
}

impl Recipients {
    /// The recipients `written`, each checked.
    pub fn parse(written: &[String]) -> Result<Recipients, String> {
        let keys = written
            .iter()
            .map(|text| recipient(text).map_err(|why| format!("`{}`: {why}", shorten(text))))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("no recipients".to_owned());
        }
        Ok(Recipients {
            keys: Arc::new(keys),
            written: written.iter().map(|text| text.trim().to_owned()).collect(),
        })
    }

    /// The recipients of a file in `age -R`'s format: one a line, `#` comments and blank
    /// lines ignored. `Err` names the line.
    pub fn lines(text: &str) -> Result<Vec<String>, String> {
        let mut found = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            recipient(line).map_err(|why| format!("line {}: {why}", index + 1))?;
            found.push(line.to_owned());
        }
        Ok(found)
    }
}

/// The private keys that may open sealed secrets, and where they came from.
#[derive(Clone)]
pub struct Identities {
    keys: Arc<Vec<Box<dyn age::Identity + Send + Sync>>>,
    /// Where they came from (`--identity FILE`, `TOPOC_AGE_KEY`, …), for messages.
    pub source: String,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identities")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Identities {
    /// Identities from `text`: an age identity file (`AGE-SECRET-KEY-1…` lines, `#`
    /// comments), or an unencrypted OpenSSH private key.
    pub fn parse(text: &str, source: &str) -> Result<Identities, String> {
        let keys: Vec<Box<dyn age::Identity + Send + Sync>> = if text
            .contains("-----BEGIN OPENSSH PRIVATE KEY-----")
        {
            match age::ssh::Identity::from_buffer(text.as_bytes(), None) {
                Ok(identity @ age::ssh::Identity::Unencrypted(_)) => vec![Box::new(identity)],
                Ok(_) => {
                    return Err(format!(
                        "{source}: a passphrase-protected or unsupported SSH key; give an unencrypted one or an age identity"
                    ));
                }
                Err(error) => return Err(format!("{source}: {error}")),
            }
        } else {
            let mut keys: Vec<Box<dyn age::Identity + Send + Sync>> = Vec::new();
            for (index, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let key = line.parse::<age::x25519::Identity>().map_err(|_| {
                    format!(
                        "{source}: line {} is not an age identity (`AGE-SECRET-KEY-1…`)",
                        index + 1
                    )
                })?;
                keys.push(Box::new(key));
            }
            keys
        };
        if keys.is_empty() {
            return Err(format!("{source}: holds no identity"));
        }
        Ok(Identities {
            keys: Arc::new(keys),
            source: source.to_owned(),
        })
    }
}

/// `plaintext` encrypted to every recipient, in the binary age format.
pub fn seal(plaintext: &[u8], recipients: &Recipients) -> Result<Vec<u8>, String> {
    let encryptor = age::Encryptor::with_recipients(
        recipients
            .keys
            .iter()
            .map(|key| &**key as &dyn age::Recipient),
    )
    .map_err(|error| error.to_string())?;
    let mut sealed = Vec::with_capacity(plaintext.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut sealed)
        .map_err(|error| error.to_string())?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|error| error.to_string())?;
    Ok(sealed)
}

/// Why a sealed secret did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// No identity was given.
    NoIdentity,
    /// None of the identities is a recipient of the file.
    NotARecipient,
    /// Not an age file, or a damaged or truncated one (what age says).
    Damaged(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NoIdentity => write!(
                f,
                "it is encrypted and no identity was given: pass --identity FILE, or set TOPOC_AGE_IDENTITY (a file) or TOPOC_AGE_KEY"
            ),
            OpenError::NotARecipient => write!(f, "none of the identities given opens it"),
            OpenError::Damaged(why) => write!(f, "it is not a whole age file ({why})"),
        }
    }
}

/// The plaintext of `sealed`, opened with one of `identities`.
pub fn open(sealed: &[u8], identities: Option<&Identities>) -> Result<Vec<u8>, OpenError> {
    let decryptor = age::Decryptor::new_buffered(sealed)
        .map_err(|error| OpenError::Damaged(error.to_string()))?;
    let identities = identities.ok_or(OpenError::NoIdentity)?;
    let mut reader = decryptor
        .decrypt(
            identities
                .keys
                .iter()
                .map(|key| &**key as &dyn age::Identity),
        )
        .map_err(|error| match error {
            age::DecryptError::NoMatchingKeys => OpenError::NotARecipient,
            other => OpenError::Damaged(other.to_string()),
        })?;
    let mut plaintext = Vec::new();
    reader
        .read_to_end(&mut plaintext)
        .map_err(|error| OpenError::Damaged(error.to_string()))?;
    Ok(plaintext)
}

/// A long key cut for a message.
fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > 24 {
        format!("{}…", text.chars().take(24).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(identity: &age::x25519::Identity) -> String {
        use age::secrecy::ExposeSecret as _;
        identity.to_string().expose_secret().to_owned()
    }

    #[test]
    fn sealed_bytes_open_with_the_identity_and_not_without() {
        let identity = age::x25519::Identity::generate();
        let public = identity.to_public().to_string();
        let secret = secret(&identity);
        let recipients = Recipients::parse(&[public]).expect("a recipient");
        let sealed = seal(b"the CA key", &recipients).expect("sealed");
        let identities =
            Identities::parse(&format!("# a comment\n{secret}\n"), "test").expect("an identity");
        assert_eq!(
            open(&sealed, Some(&identities)).as_deref(),
            Ok(&b"the CA key"[..])
        );
        assert_eq!(open(&sealed, None), Err(OpenError::NoIdentity));
        let other = Identities::parse(
            &super::tests::secret(&age::x25519::Identity::generate()),
            "other",
        )
        .expect("an identity");
        assert_eq!(open(&sealed, Some(&other)), Err(OpenError::NotARecipient));
        assert!(matches!(
            open(&sealed[..sealed.len() - 20], Some(&identities)),
            Err(OpenError::Damaged(_))
        ));
        assert!(matches!(
            open(b"plain text", Some(&identities)),
            Err(OpenError::Damaged(_))
        ));
    }

    #[test]
    fn recipient_lists_name_the_bad_line() {
        let good = age::x25519::Identity::generate().to_public().to_string();
        assert_eq!(
            Recipients::lines(&format!("# team\n\n{good}\n")),
            Ok(vec![good.clone()])
        );
        let error = Recipients::lines(&format!("{good}\nage1nope\n")).expect_err("a bad line");
        assert!(error.starts_with("line 2: not an age recipient"), "{error}");
        assert!(Recipients::parse(&[]).is_err());
    }
}
