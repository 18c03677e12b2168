//! Offset paging over Connect list endpoints.
//!
//! Connect answers `GET …?limit=N&offset=M` with a JSON array and
//! `Content-Range: items first-last/total`. The rules (also in the user guide):
//!
//! 1. The next offset is the previous offset plus the number of items *actually received*: the
//!    server may clamp the page size (it caps `limit` at 1000), and we must not skip items.
//! 2. With a valid `Content-Range`, paging stops when `last >= total - 1` (the official clients'
//!    rule), or when the next offset would be at or past `total`: we never request past the end.
//!    If `total` changes between pages (records were created or deleted meanwhile) the newest
//!    total wins and a warning says so.
//! 3. An empty page always ends the query; a warning says so when `Content-Range` still reports
//!    records beyond it.
//! 4. Without a usable `Content-Range` (missing or malformed), a warning is logged and paging
//!    falls back to the page size: it stops after the first page shorter than requested.
//! 5. `maxDocuments` (0 = unlimited) caps the total: the last request asks only for what is left,
//!    and surplus items of a page are dropped.

use crate::log::Log;

/// A parsed `Content-Range: items first-last/total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentRange {
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

/// Strictly parses `items first-last/total` (ASCII digits only, `first <= last`, and
/// `last < total` unless it is the empty range `items 0-0/0`). Anything else is `None`.
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("items ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let r = ContentRange {
        first: num(first)?,
        last: num(last)?,
        total: num(total)?,
    };
    let empty = r
        == ContentRange {
            first: 0,
            last: 0,
            total: 0,
        };
    (r.first <= r.last && (r.last < r.total || empty)).then_some(r)
}

/// What to ask for next: `limit` and `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub offset: u64,
}

/// The paging state of one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pager {
    page_size: u64,
    max_documents: u64,
    offset: u64,
    pages: u32,
    received: u64,
    total: Option<u64>,
    done: bool,
    warned_no_range: bool,
}

impl Pager {
    /// `page_size` 1..=1000; `max_documents` 0 = unlimited.
    pub fn new(page_size: u64, max_documents: u64) -> Self {
        Pager {
            page_size: page_size.max(1),
            max_documents,
            offset: 0,
            pages: 0,
            received: 0,
            total: None,
            done: false,
            warned_no_range: false,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Documents delivered so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The next request, or `None` when the query is complete.
    pub fn next_request(&self) -> Option<PageRequest> {
        if self.done {
            return None;
        }
        let mut limit = self.page_size;
        if self.max_documents > 0 {
            limit = limit.min(self.max_documents.saturating_sub(self.received));
        }
        Some(PageRequest {
            limit,
            offset: self.offset,
        })
    }

    /// Records a page of `count` items answered to `request` with the raw `Content-Range`, and
    /// returns how many of its items to keep (fewer than `count` only when `maxDocuments` is hit).
    pub fn on_page(
        &mut self,
        request: PageRequest,
        count: u64,
        content_range: Option<&str>,
        log: &mut Log,
    ) -> u64 {
        self.pages += 1;
        let keep = if self.max_documents > 0 {
            count.min(self.max_documents.saturating_sub(self.received))
        } else {
            count
        };
        self.received += keep;
        self.offset = request.offset + count;
        let range = content_range.and_then(parse_content_range);
        if let Some(r) = range {
            if let Some(old) = self.total.filter(|&t| t != r.total) {
                log.warning(format!(
                    "the number of matching records changed from {old} to {} while paging \
                     (records were created or deleted meanwhile); some may be missed or repeated",
                    r.total
                ));
            }
            self.total = Some(r.total);
        } else if count > 0 && !self.warned_no_range {
            self.warned_no_range = true;
            log.warning(format!(
                "Connect sent no usable Content-Range header ({}); paging by page size: the query \
                 stops after the first page with fewer than {} items",
                content_range.map_or_else(|| "missing".to_owned(), |v| format!("\"{v}\"")),
                request.limit
            ));
        }
        if let Some(r) = range.filter(|r| count == 0 && self.offset < r.total) {
            // Stopping is the only safe move (asking again could loop); say that data is missing.
            log.warning(format!(
                "Connect sent an empty page at offset {} although it reports {} matching \
                 records; the query stops here and may be incomplete",
                request.offset, r.total
            ));
        }
        let total_text = self.total.map_or_else(|| "?".to_owned(), |t| t.to_string());
        log.info(format!(
            "page {}: received {count} (offset {}), {} of {total_text} so far",
            self.pages, request.offset, self.received
        ));
        self.done = count == 0
            || (self.max_documents > 0 && self.received >= self.max_documents)
            || match range {
                Some(r) => r.last + 1 >= r.total || self.offset >= r.total,
                None => count < request.limit,
            };
        if self.done && self.max_documents > 0 && self.received >= self.max_documents {
            log.info(format!(
                "stopped at the maximum of {} documents",
                self.max_documents
            ));
        }
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parser() {
        assert_eq!(
            parse_content_range("items 0-99/2345"),
            Some(ContentRange {
                first: 0,
                last: 99,
                total: 2345
            })
        );
        assert_eq!(
            parse_content_range("items 0-0/0"),
            Some(ContentRange {
                first: 0,
                last: 0,
                total: 0
            })
        );
        assert_eq!(
            parse_content_range(" items 2000-2499/2500 "),
            Some(ContentRange {
                first: 2000,
                last: 2499,
                total: 2500
            })
        );
        for junk in [
            "",
            "items",
            "items 0-99",
            "items 0-99/",
            "bytes 0-99/100",
            "items -1-5/10",
            "items 5-1/10",
            "items 0-10/10",
            "items a-b/c",
            "items 0-99/*",
            "items +0-9/10",
            "items 0 - 9/10",
            "items 0-0/0/0",
        ] {
            assert_eq!(parse_content_range(junk), None, "{junk:?}");
        }
    }

    fn run(pager: &mut Pager, pages: &[(u64, Option<&str>)]) -> (Vec<PageRequest>, Log) {
        let mut log = Log::new();
        let mut asked = Vec::new();
        for (count, range) in pages {
            let req = pager.next_request().expect("asked for a page after done");
            asked.push(req);
            pager.on_page(req, *count, *range, &mut log);
        }
        (asked, log)
    }

    #[test]
    fn three_full_pages() {
        let mut p = Pager::new(1000, 0);
        let (asked, _) = run(
            &mut p,
            &[
                (1000, Some("items 0-999/2500")),
                (1000, Some("items 1000-1999/2500")),
                (500, Some("items 2000-2499/2500")),
            ],
        );
        assert_eq!(
            asked.iter().map(|r| r.offset).collect::<Vec<_>>(),
            [0, 1000, 2000]
        );
        assert!(p.is_done());
        assert_eq!(p.received(), 2500);
        assert_eq!(p.next_request(), None);
    }

    #[test]
    fn exact_multiple_does_not_ask_past_the_end() {
        let mut p = Pager::new(100, 0);
        run(
            &mut p,
            &[
                (100, Some("items 0-99/200")),
                (100, Some("items 100-199/200")),
            ],
        );
        assert!(p.is_done());
    }

    #[test]
    fn clamped_page_size_advances_by_received() {
        let mut p = Pager::new(1000, 0);
        let (asked, _) = run(
            &mut p,
            &[
                (100, Some("items 0-99/250")),
                (100, Some("items 100-199/250")),
                (50, Some("items 200-249/250")),
            ],
        );
        assert_eq!(
            asked.iter().map(|r| r.offset).collect::<Vec<_>>(),
            [0, 100, 200]
        );
        assert!(p.is_done());
    }

    fn warnings(log: &Log) -> Vec<&str> {
        log.entries()
            .iter()
            .filter(|(l, _)| *l == crate::log::Level::Warning)
            .map(|(_, m)| m.as_str())
            .collect()
    }

    #[test]
    fn missing_header_stops_after_short_page() {
        let mut p = Pager::new(10, 0);
        let (_, log) = run(&mut p, &[(10, None), (10, Some("junk")), (3, None)]);
        assert!(p.is_done());
        assert_eq!(warnings(&log).len(), 1, "{log:?}");
    }

    #[test]
    fn empty_page_ends() {
        let mut p = Pager::new(10, 0);
        let (_, log) = run(&mut p, &[(0, Some("items 0-0/0"))]);
        assert!(p.is_done());
        // The ordinary empty result is no warning.
        assert!(warnings(&log).is_empty(), "{log:?}");
        let mut p = Pager::new(10, 0);
        run(&mut p, &[(10, None), (0, None)]);
        assert!(p.is_done());
    }

    #[test]
    fn an_empty_page_before_the_reported_total_stops_with_a_warning() {
        let mut p = Pager::new(10, 0);
        let (asked, log) = run(
            &mut p,
            &[(10, Some("items 0-9/30")), (0, Some("items 10-10/30"))],
        );
        assert!(p.is_done());
        assert_eq!(asked.len(), 2);
        let warned = warnings(&log);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].contains("empty page at offset 10 although it reports 30"),
            "{}",
            warned[0]
        );
    }

    #[test]
    fn total_change_is_warned_and_followed() {
        let mut p = Pager::new(10, 0);
        let (_, log) = run(
            &mut p,
            &[(10, Some("items 0-9/25")), (10, Some("items 10-19/20"))],
        );
        assert!(p.is_done());
        assert!(
            log.entries()
                .iter()
                .any(|(_, m)| m.contains("changed from 25 to 20"))
        );
    }

    #[test]
    fn max_documents_caps_requests_and_pages() {
        let mut p = Pager::new(100, 150);
        let mut log = Log::new();
        let r1 = p.next_request().unwrap();
        assert_eq!(
            r1,
            PageRequest {
                limit: 100,
                offset: 0
            }
        );
        assert_eq!(p.on_page(r1, 100, Some("items 0-99/1000"), &mut log), 100);
        let r2 = p.next_request().unwrap();
        assert_eq!(
            r2,
            PageRequest {
                limit: 50,
                offset: 100
            }
        );
        // A server that ignores the limit: surplus items are dropped.
        assert_eq!(p.on_page(r2, 100, Some("items 100-199/1000"), &mut log), 50);
        assert!(p.is_done());
        assert_eq!(p.received(), 150);
    }
}
