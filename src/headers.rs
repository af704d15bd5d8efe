//! The three headers the receive path reads, as plain values or from an
//! `http::HeaderMap` (feature `http`).

/// The longest header value considered plausible. Kit's are under 100 bytes.
pub const MAX_HEADER_LEN: usize = 1024;

/// The three headers the receive path reads, as plain values (for frameworks
/// without `http::HeaderMap`). `None` means absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryHeaders<'a> {
    /// `X-Webhook-Timestamp`.
    pub timestamp: Option<&'a str>,
    /// `X-Webhook-Signature`.
    pub signature: Option<&'a str>,
    /// `X-Webhook-Event`.
    pub event: Option<&'a str>,
}

#[cfg(feature = "http")]
mod http_headers {
    use super::*;
    use crate::signature::{Header, VerifyError};
    use http::HeaderMap;

    fn one(headers: &HeaderMap, name: Header) -> Result<Option<&str>, VerifyError> {
        let mut values = headers.get_all(name.name()).iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(VerifyError::RepeatedHeader(name));
        }
        if value.len() > MAX_HEADER_LEN {
            return Err(VerifyError::MalformedHeader(name));
        }
        value
            .to_str()
            .map(Some)
            .map_err(|_| VerifyError::MalformedHeader(name))
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    impl<'a> DeliveryHeaders<'a> {
        /// Reads the three headers from a [`HeaderMap`]. A header that appears
        /// twice, is not visible ASCII, or is over [`MAX_HEADER_LEN`] bytes is
        /// refused.
        ///
        /// # Errors
        ///
        /// [`VerifyError::RepeatedHeader`] or [`VerifyError::MalformedHeader`].
        pub fn from_header_map(headers: &'a HeaderMap) -> Result<Self, VerifyError> {
            Ok(DeliveryHeaders {
                signature: one(headers, Header::Signature)?,
                timestamp: one(headers, Header::Timestamp)?,
                event: one(headers, Header::Event)?,
            })
        }
    }
}
