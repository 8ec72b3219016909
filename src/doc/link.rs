//! Which links a book can hold, and how they are written: what the EPUB
//! renderer and the typesetter both need.

/// What a link's URL becomes in a book: a web or mail address, or a
/// `#fragment`, with every character RFC 3986 does not allow there
/// percent-encoded (`\`, spaces, brackets, non-ASCII letters), so that
/// reading systems and EpubCheck take it. `None` for anything a reader
/// cannot follow: scripts, files, other schemes, a web address whose host
/// is not a host name.
pub fn link_href(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some(fragment) = url.strip_prefix('#') {
        return Some(format!("#{}", encode(fragment, FRAGMENT)));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("mailto:") {
        let address = &url["mailto:".len()..];
        return (!address.is_empty()).then(|| format!("mailto:{}", encode(address, QUERY)));
    }
    let scheme = if lower.starts_with("https://") {
        "https://"
    } else if lower.starts_with("http://") {
        "http://"
    } else {
        return None;
    };
    let rest = &url[scheme.len()..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !is_authority(authority) {
        return None;
    }
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (tail, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (before_fragment, None),
    };
    let mut out = format!(
        "{}{authority}{}",
        &scheme.to_ascii_lowercase(),
        encode(path, PATH)
    );
    if let Some(query) = query {
        out.push('?');
        out.push_str(&encode(query, QUERY));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&encode(fragment, FRAGMENT));
    }
    Some(out)
}

/// `[userinfo@]host[:port]`: a host name of non-empty labels of letters,
/// digits and hyphens (a final dot allowed), an IPv4 address, or an IP
/// literal in brackets.
fn is_authority(authority: &str) -> bool {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let Some((inside, after)) = literal.split_once(']') else {
            return false;
        };
        if inside.is_empty()
            || !inside
                .chars()
                .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
        {
            return false;
        }
        (inside, after.strip_prefix(':').unwrap_or(after))
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        let labels = host.strip_suffix('.').unwrap_or(host);
        let good_label =
            |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if labels.is_empty() || !labels.split('.').all(good_label) {
            return false;
        }
        (host, port)
    };
    !host.is_empty() && port.chars().all(|c| c.is_ascii_digit())
}

/// Besides letters, digits and `-._~`, what each part may hold as it is
/// (RFC 3986: sub-delims, `:` and `@`, and `/` `?` where allowed).
const PATH: &str = "!$&'()*+,;=:@/";
const QUERY: &str = "!$&'()*+,;=:@/?";
const FRAGMENT: &str = QUERY;

/// `part` with every byte that may not stand there as `%XX`; a `%` that
/// already begins an escape is kept.
fn encode(part: &str, allowed: &str) -> String {
    let bytes = part.as_bytes();
    let mut out = String::with_capacity(part.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let escape_start = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if byte.is_ascii_alphanumeric()
            || b"-._~".contains(&byte)
            || allowed.as_bytes().contains(&byte)
            || escape_start
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::link_href;

    #[test]
    fn web_mail_and_fragment_links_are_kept_and_made_valid() {
        for (url, href) in [
            ("https://example.com", "https://example.com"),
            (
                " HTTPS://Example.com/a b?q=1#top ",
                "https://Example.com/a%20b?q=1#top",
            ),
            (
                "https://example.com?find=\\*",
                "https://example.com?find=%5C*",
            ),
            ("https://example.com/\\[\\", "https://example.com/%5C%5B%5C"),
            (
                "https://example.com/%E6%8E%92",
                "https://example.com/%E6%8E%92",
            ),
            ("https://example.com/100%", "https://example.com/100%25"),
            (
                "https://example.com/排版",
                "https://example.com/%E6%8E%92%E7%89%88",
            ),
            (
                "https://user@example.com:8080/",
                "https://user@example.com:8080/",
            ),
            ("http://[::1]:80/x", "http://[::1]:80/x"),
            ("https://example.com./", "https://example.com./"),
            ("mailto:a@example.com", "mailto:a@example.com"),
            ("#sec-1", "#sec-1"),
            ("#a b", "#a%20b"),
        ] {
            assert_eq!(link_href(url).as_deref(), Some(href), "{url}");
        }
    }

    #[test]
    fn what_a_reader_cannot_follow_has_no_link() {
        for url in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "../other/en.md",
            "ftp://example.com",
            "https://../",
            "https://",
            "http://\u{7}",
            "https://exa mple.com",
            "https://例子.com",
            "https://example.com:port",
            "http://[zz]/",
            "mailto:",
            "data:text/html,x",
        ] {
            assert_eq!(link_href(url), None, "{url:?}");
        }
    }
}
