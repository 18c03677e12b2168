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
//! 6. Paging always ends, and nothing is delivered twice because a server repeated it. An endpoint
//!    that does not page is recognised by an answer longer than its `limit`, by a `Content-Range`
//!    that starts elsewhere than the requested offset, or by a page whose records all came with
//!    the page before (the cursor compares them). Seen on the first page, that page is the whole
//!    result; later, the query stops with a warning that says what was seen and the page is
//!    dropped. Records of a page that came with the page before are skipped with a warning.
//! 7. Pages may be requested before the one before them has arrived (see [`Pager::planned`]),
//!    only while every page so far came full, where it was asked, under the same total.
//! 8. The number of pages is bounded whatever the server reports. A growing total is followed up
//!    to the first total reported plus as many again (at least [`GROWTH_ALLOWANCE_MIN`]): far
//!    more than records are created in Connect while one query runs, so a total that grows past
//!    that ends the query with the page that reaches it, with a warning. Without a usable
//!    `Content-Range`, the query ends after [`MAX_PAGES_WITHOUT_RANGE`] full pages, with a
//!    warning.
//! 9. With Changed Since the query pages by the change field (keyset paging, see [`Keyset`]):
//!    after each page the next request asks for the records changed at or after the page's last
//!    change time T, at an offset of the records already received with time T, with the same
//!    ordering, filters, selection and page size. A record changed between two pages comes again
//!    later with its new time, and the records before T stay where they were, so none falls
//!    between the pages (paging by offset would skip one). Each request depends on the page
//!    before, so pages are requested one at a time. Rules 1 to 6 and 8 apply with the offsets and
//!    totals of the whole result: a request's offset and `Content-Range` count from the first
//!    record changed at T, which is the record numbered (records received so far, minus the
//!    offset) of the whole result. A total that changes is logged at INFO, not warned: records
//!    changed meanwhile come again, as they should.

use crate::log::Log;
use crate::sync::{ChangeTime, Keyset};

/// Records a query follows beyond the first total reported when the total grows while it runs:
/// as many again as that total, and at least this many (rule 8).
pub const GROWTH_ALLOWANCE_MIN: u64 = 10_000;
/// Full pages a query requests without a usable `Content-Range` before it stops (rule 8):
/// 1,000,000 records at the default page size.
pub const MAX_PAGES_WITHOUT_RANGE: u64 = 10_000;

/// The most records a query follows when its first reported total was `first_total` (rule 8).
pub fn total_cap(first_total: u64) -> u64 {
    first_total.saturating_add(first_total.max(GROWTH_ALLOWANCE_MIN))
}

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
    /// [`total_cap`] of the first total reported.
    cap: Option<u64>,
    pages_without_range: u64,
    done: bool,
    warned_no_range: bool,
    warned_total_change: bool,
    /// Every page so far came full, where it was asked, under the same total: the pages after the
    /// next one are known before it arrives (rule 7). Never with keyset paging, whose next page
    /// starts where the one before ended.
    steady: bool,
    /// With Changed Since: where the next request starts (rule 9). `offset` and `total` above
    /// are then of the whole result.
    keyset: Option<Keyset>,
    warned_keyset: bool,
}

/// One answer to a page request, as [`Pager::on_page`] judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageAnswer<'a> {
    /// Items in the answer.
    pub count: u64,
    /// How many of them came with the page before (the cursor compares records).
    pub repeated: u64,
    /// The raw `Content-Range` header.
    pub content_range: Option<&'a str>,
}

impl<'a> PageAnswer<'a> {
    /// `count` items, none repeated.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn new(count: u64, content_range: Option<&'a str>) -> Self {
        PageAnswer {
            count,
            repeated: 0,
            content_range,
        }
    }
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
            cap: None,
            pages_without_range: 0,
            done: false,
            warned_no_range: false,
            warned_total_change: false,
            steady: true,
            keyset: None,
            warned_keyset: false,
        }
    }

    /// A pager that pages by the change field from `keyset` on (rule 9).
    pub fn keyset(page_size: u64, max_documents: u64, keyset: Keyset) -> Self {
        Pager {
            keyset: Some(keyset),
            steady: false,
            ..Pager::new(page_size, max_documents)
        }
    }

    /// The Changed Since value of the next request with keyset paging (rule 9).
    pub fn since(&self) -> Option<&str> {
        self.keyset.as_ref().map(Keyset::since)
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Documents delivered so far.
    #[cfg(any(test, feature = "fuzzing"))]
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
            offset: self.keyset.as_ref().map_or(self.offset, Keyset::offset),
        })
    }

    /// Up to `n` requests, from [`Pager::next_request`] on, that this query will make if every
    /// page comes full: all of them once a total is known and every page so far was full, at
    /// its offset, under the same total (rule 7); only the next one otherwise. None past the
    /// total or `maxDocuments`.
    pub fn planned(&self, n: usize) -> Vec<PageRequest> {
        let mut out = Vec::new();
        let Some(first) = self.next_request() else {
            return out;
        };
        out.push(first);
        let Some(total) = self.total.filter(|_| self.steady) else {
            return out;
        };
        let (mut offset, mut received) = (first.offset, self.received);
        while out.len() < n {
            offset += self.page_size;
            received += self.page_size;
            let mut limit = self.page_size;
            if self.max_documents > 0 {
                if received >= self.max_documents {
                    break;
                }
                limit = limit.min(self.max_documents - received);
            }
            if offset >= total {
                break;
            }
            out.push(PageRequest { limit, offset });
        }
        out
    }

    /// Records the answer to `request` and returns how many of its items that did not come with
    /// the page before to keep (fewer only when `maxDocuments` is hit or the page is dropped by
    /// rule 6).
    pub fn on_page(&mut self, request: PageRequest, answer: PageAnswer<'_>, log: &mut Log) -> u64 {
        debug_assert!(
            self.keyset.is_none(),
            "a keyset page without its change times"
        );
        self.page(request, answer, log)
    }

    /// [`Pager::on_page`] with keyset paging (rule 9): `times` are the change times of the
    /// answer's records, in order, `None` where a record has none.
    pub fn on_keyset_page(
        &mut self,
        request: PageRequest,
        answer: PageAnswer<'_>,
        times: &[Option<ChangeTime<'_>>],
        log: &mut Log,
    ) -> u64 {
        let keep = self.page(request, answer, log);
        if let Some(keyset) = self.keyset.as_mut().filter(|_| !self.done)
            && let Err(why) = keyset.advance(times)
            && !std::mem::replace(&mut self.warned_keyset, true)
        {
            log.warning(format!(
                "{why}: the next page is asked from the same change time {} at offset {}, as \
                 paging by offset would, so a record that changes meanwhile can make another \
                 one be missed",
                keyset.since(),
                keyset.offset()
            ));
        }
        keep
    }

    fn page(&mut self, request: PageRequest, answer: PageAnswer<'_>, log: &mut Log) -> u64 {
        let PageAnswer {
            count,
            repeated,
            content_range,
        } = answer;
        let repeated = repeated.min(count);
        self.pages += 1;
        let first_page = self.pages == 1;
        let range = content_range.and_then(parse_content_range);
        let wrong_start = range.filter(|r| count > 0 && r.first != request.offset);
        let too_long = count > request.limit;
        let since = self.since();
        if let Some(reason) =
            not_paging(request, since, count, repeated, wrong_start, content_range)
        {
            self.done = true;
            self.steady = false;
            if first_page {
                log.warning(format!(
                    "{reason}: the endpoint does not page, so this answer is taken as the whole \
                     result and no further page is requested"
                ));
                return self.keep_last(count);
            }
            log.warning(format!(
                "{reason}: the endpoint does not page; the query stops here after {} documents \
                 and this page is dropped, so that no record is delivered twice",
                self.received
            ));
            return 0;
        }
        debug_assert!(!too_long);
        // Keyset paging: from here on, the request and its range as positions in the whole result.
        let shift = match &self.keyset {
            Some(_) => self.offset.saturating_sub(request.offset),
            None => 0,
        };
        let request = PageRequest {
            offset: request.offset + shift,
            ..request
        };
        let range = range.map(|r| ContentRange {
            first: r.first.saturating_add(shift),
            last: r.last.saturating_add(shift),
            total: r.total.saturating_add(shift),
        });
        if repeated > 0 {
            self.steady = false;
            log.warning(format!(
                "{repeated} of the {count} records at offset {} came with the page before \
                 (records were created or deleted meanwhile); they are skipped, not delivered \
                 twice",
                request.offset
            ));
        }
        let fresh = count - repeated;
        let keep = if self.max_documents > 0 {
            fresh.min(self.max_documents.saturating_sub(self.received))
        } else {
            fresh
        };
        self.received += keep;
        self.offset = request.offset + count;
        let mut ends = false;
        if let Some(r) = range {
            let cap = *self.cap.get_or_insert_with(|| total_cap(r.total));
            let total = r.total.min(cap);
            if let Some(old) = self.total.filter(|&t| t != total) {
                if self.keyset.is_some() {
                    // Expected: a record changed meanwhile comes again, with its new time.
                    log.info(format!(
                        "the number of matching records changed from {old} to {total} while \
                         paging (records were changed, created or deleted meanwhile)"
                    ));
                } else if self.warned_total_change {
                    log.info(format!("the number of matching records is now {total}"));
                } else {
                    self.warned_total_change = true;
                    log.warning(format!(
                        "the number of matching records changed from {old} to {total} while \
                         paging (records were created or deleted meanwhile); some may be missed \
                         or repeated{}",
                        if self.steady {
                            "; the remaining pages are requested one at a time"
                        } else {
                            ""
                        }
                    ));
                }
                self.steady = false;
            }
            if r.total > cap && self.offset >= cap {
                ends = true;
                log.warning(format!(
                    "the number of matching records grew to {} while paging, past {cap}: more \
                     than records are created in Connect during one query; the query ends here \
                     after {} documents",
                    r.total, self.received
                ));
            }
            self.total = Some(total);
        } else {
            self.steady = false;
            self.pages_without_range += 1;
            if count == request.limit && self.pages_without_range >= MAX_PAGES_WITHOUT_RANGE {
                ends = true;
                log.warning(format!(
                    "{MAX_PAGES_WITHOUT_RANGE} pages came without a usable Content-Range header, \
                     so their end is unknown; the query stops here after {} documents (set \
                     Maximum Documents to stop earlier)",
                    self.received
                ));
            }
            if count > 0 && !self.warned_no_range {
                self.warned_no_range = true;
                log.warning(format!(
                    "Connect sent no usable Content-Range header ({}); paging by page size, one \
                     page at a time: the query stops after the first page with fewer than {} items",
                    content_range.map_or_else(|| "missing".to_owned(), |v| format!("\"{v}\"")),
                    request.limit
                ));
            }
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
        let last = ends
            || match (range, self.total) {
                (Some(r), Some(total)) => r.last + 1 >= total || self.offset >= total,
                _ => count < request.limit,
            };
        if count < request.limit && !last {
            self.steady = false;
        }
        self.done =
            count == 0 || (self.max_documents > 0 && self.received >= self.max_documents) || last;
        if self.done && self.max_documents > 0 && self.received >= self.max_documents {
            log.info(format!(
                "stopped at the maximum of {} documents",
                self.max_documents
            ));
        }
        keep
    }

    /// The items of a last page to keep: all of them up to `maxDocuments`.
    fn keep_last(&mut self, count: u64) -> u64 {
        let keep = if self.max_documents > 0 {
            count.min(self.max_documents.saturating_sub(self.received))
        } else {
            count
        };
        self.received += keep;
        keep
    }
}

/// What shows that the endpoint does not page (rule 6), as the start of a warning; `None` when
/// nothing does.
fn not_paging(
    request: PageRequest,
    since: Option<&str>,
    count: u64,
    repeated: u64,
    wrong_start: Option<ContentRange>,
    content_range: Option<&str>,
) -> Option<String> {
    let answer = if count > request.limit {
        format!("with {count} records")
    } else if let Some(r) = wrong_start {
        format!(
            "with records from offset {} (Content-Range \"{}\")",
            r.first,
            content_range.unwrap_or_default()
        )
    } else if count > 0 && repeated == count {
        format!("with the same {count} records as the request before")
    } else {
        return None;
    };
    Some(format!(
        "the request for {} records {}from offset {} was answered {answer}",
        request.limit,
        since.map_or_else(String::new, |t| format!("changed since {t} ")),
        request.offset
    ))
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
            pager.on_page(req, PageAnswer::new(*count, *range), &mut log);
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

    /// Pages `pager` against a server that answers every request in full with `range(offset,
    /// limit)`, until the pager stops (or `bound` pages, so that a regression fails instead of
    /// hanging). Returns the pages requested.
    fn endless(
        pager: &mut Pager,
        log: &mut Log,
        bound: u64,
        range: impl Fn(u64, u64) -> Option<String>,
    ) -> u64 {
        let mut pages = 0;
        while let Some(req) = pager.next_request() {
            assert!(pages < bound, "still paging after {bound} pages");
            pages += 1;
            let r = range(req.offset, req.limit);
            pager.on_page(req, PageAnswer::new(req.limit, r.as_deref()), log);
        }
        pages
    }

    #[test]
    fn a_total_that_keeps_growing_is_followed_only_so_far() {
        // Always one page more than asked for: a query that would never end.
        let grow = |offset: u64, limit: u64| {
            Some(format!(
                "items {offset}-{}/{}",
                offset + limit - 1,
                offset + 2 * limit
            ))
        };
        for (page_size, first_total) in [(1000, 2000), (100, 200)] {
            let mut p = Pager::new(page_size, 0);
            let mut log = Log::new();
            let pages = endless(&mut p, &mut log, 1_000, grow);
            let cap = first_total + GROWTH_ALLOWANCE_MIN;
            assert_eq!(p.received(), cap, "{page_size}");
            assert_eq!(pages, cap / page_size);
            let warned = warnings(&log);
            assert_eq!(warned.len(), 2, "{warned:?}");
            assert!(warned[0].contains(&format!("changed from {first_total} to")));
            assert!(
                warned[1].contains(&format!("past {cap}"))
                    && warned[1].contains(&format!("ends here after {cap} documents")),
                "{}",
                warned[1]
            );
        }
        // A large first total allows as many again.
        assert_eq!(total_cap(50_000), 100_000);
        assert_eq!(total_cap(u64::MAX), u64::MAX);
    }

    #[test]
    fn full_pages_without_a_range_end_after_the_page_limit() {
        let mut p = Pager::new(10, 0);
        let mut log = Log::new();
        let pages = endless(&mut p, &mut log, MAX_PAGES_WITHOUT_RANGE + 1, |_, _| None);
        assert_eq!(pages, MAX_PAGES_WITHOUT_RANGE);
        assert_eq!(p.received(), MAX_PAGES_WITHOUT_RANGE * 10);
        let warned = warnings(&log);
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(
            warned[1].contains("without a usable Content-Range"),
            "{}",
            warned[1]
        );
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
        assert_eq!(
            p.on_page(r1, PageAnswer::new(100, Some("items 0-99/1000")), &mut log),
            100
        );
        let r2 = p.next_request().unwrap();
        assert_eq!(
            r2,
            PageRequest {
                limit: 50,
                offset: 100
            }
        );
        assert_eq!(
            p.on_page(
                r2,
                PageAnswer::new(50, Some("items 100-149/1000")),
                &mut log
            ),
            50
        );
        assert!(p.is_done());
        assert_eq!(p.received(), 150);
        // The first answer is capped too.
        let mut p = Pager::new(100, 30);
        let r = p.next_request().unwrap();
        assert_eq!(r.limit, 30);
        assert_eq!(
            p.on_page(r, PageAnswer::new(20, Some("items 0-19/1000")), &mut log),
            20
        );
        assert!(!p.is_done());
    }

    #[test]
    fn a_first_answer_longer_than_the_limit_is_the_whole_result() {
        let mut p = Pager::new(100, 0);
        let (asked, log) = run(&mut p, &[(150, None)]);
        assert_eq!(asked.len(), 1);
        assert!(p.is_done());
        assert_eq!(p.received(), 150);
        let warned = warnings(&log);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].starts_with("the request for 100 records from offset 0 was answered with 150 records: the endpoint does not page, so this answer is taken as the whole result"),
            "{}",
            warned[0]
        );
        // Maximum Documents still applies.
        let mut p = Pager::new(100, 120);
        let r = p.next_request().unwrap();
        assert_eq!(
            p.on_page(r, PageAnswer::new(150, None), &mut Log::new()),
            120
        );
        assert!(p.is_done());
    }

    #[test]
    fn a_later_page_that_shows_the_endpoint_does_not_page_ends_the_query_and_is_dropped() {
        // Offset ignored: the second page starts where the first did.
        let mut p = Pager::new(100, 0);
        let mut log = Log::new();
        let r1 = p.next_request().unwrap();
        assert_eq!(
            p.on_page(r1, PageAnswer::new(100, Some("items 0-99/250")), &mut log),
            100
        );
        let r2 = p.next_request().unwrap();
        assert_eq!(
            p.on_page(r2, PageAnswer::new(100, Some("items 0-99/250")), &mut log),
            0
        );
        assert!(p.is_done());
        assert_eq!(p.received(), 100);
        let warned = warnings(&log);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].starts_with("the request for 100 records from offset 100 was answered with records from offset 0 (Content-Range \"items 0-99/250\"): the endpoint does not page; the query stops here after 100 documents"),
            "{}",
            warned[0]
        );
        // Longer than the limit after the first page.
        let mut p = Pager::new(10, 0);
        let (_, log) = run(&mut p, &[(10, None), (25, None)]);
        assert!(p.is_done());
        assert_eq!(p.received(), 10);
        assert!(
            warnings(&log)
                .iter()
                .any(|w| w.contains("was answered with 25 records"))
        );
        // The same records again, without any Content-Range.
        let mut p = Pager::new(10, 0);
        let mut log = Log::new();
        let r1 = p.next_request().unwrap();
        p.on_page(r1, PageAnswer::new(10, None), &mut log);
        let r2 = p.next_request().unwrap();
        let again = PageAnswer {
            count: 10,
            repeated: 10,
            content_range: None,
        };
        assert_eq!(p.on_page(r2, again, &mut log), 0);
        assert!(p.is_done());
        assert!(
            warnings(&log)
                .iter()
                .any(|w| w.contains("the same 10 records as the request before"))
        );
    }

    #[test]
    fn records_that_came_with_the_page_before_are_skipped() {
        let mut p = Pager::new(10, 0);
        let mut log = Log::new();
        let r1 = p.next_request().unwrap();
        p.on_page(r1, PageAnswer::new(10, Some("items 0-9/30")), &mut log);
        let r2 = p.next_request().unwrap();
        let shifted = PageAnswer {
            count: 10,
            repeated: 3,
            content_range: Some("items 10-19/30"),
        };
        assert_eq!(p.on_page(r2, shifted, &mut log), 7);
        assert_eq!(p.received(), 17);
        assert_eq!(p.next_request().unwrap().offset, 20);
        assert!(
            warnings(&log)
                .iter()
                .any(|w| w.starts_with("3 of the 10 records at offset 10"))
        );
        // Paging goes on one page at a time.
        assert_eq!(p.planned(4).len(), 1);
    }

    /// Pages a keyset pager with answers `(count, Content-Range, change times)`; the requests
    /// `(since, limit, offset)` it made.
    fn run_keyset(
        pager: &mut Pager,
        log: &mut Log,
        pages: &[(u64, Option<&str>, &[&str])],
    ) -> Vec<(String, u64, u64)> {
        let mut asked = Vec::new();
        for (count, range, times) in pages {
            let req = pager.next_request().expect("asked for a page after done");
            asked.push((pager.since().unwrap().to_owned(), req.limit, req.offset));
            assert_eq!(pager.planned(8), [req], "one request at a time");
            let times: Vec<_> = times.iter().map(|t| Some(ChangeTime::new(t))).collect();
            pager.on_keyset_page(req, PageAnswer::new(*count, *range), &times, log);
        }
        asked
    }

    const A: &str = "2024-05-01T10:00:00+00:00";
    const B: &str = "2024-05-01T10:00:05+00:00";
    const C: &str = "2024-05-01T10:00:09+00:00";

    #[test]
    fn keyset_pages_start_at_the_last_time_past_the_records_received_with_it() {
        let mut p = Pager::keyset(3, 0, Keyset::new("2024-05-01T00:00:00+00:00"));
        let mut log = Log::new();
        let asked = run_keyset(
            &mut p,
            &mut log,
            &[
                (3, Some("items 0-2/8"), &[A, B, B]),
                // Four records with time B: the page holds the next three of them.
                (3, Some("items 2-4/7"), &[B, B, B]),
                (2, Some("items 5-6/7"), &[B, C]),
            ],
        );
        let s = |t: &str| t.to_owned();
        assert_eq!(
            asked,
            [
                (s("2024-05-01T00:00:00+00:00"), 3, 0),
                (s(B), 3, 2),
                (s(B), 3, 5)
            ]
        );
        assert!(p.is_done());
        assert_eq!(p.received(), 8);
        // Progress is counted over the whole result.
        let info: Vec<&str> = log.entries().iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            info,
            [
                "page 1: received 3 (offset 0), 3 of 8 so far",
                "page 2: received 3 (offset 3), 6 of 8 so far",
                "page 3: received 2 (offset 6), 8 of 8 so far",
            ]
        );
        // Maximum Documents caps the last request.
        let mut p = Pager::keyset(3, 4, Keyset::new(A));
        let asked = run_keyset(&mut p, &mut log, &[(3, Some("items 0-2/8"), &[A, B, C])]);
        assert_eq!(asked, [(s(A), 3, 0)]);
        assert_eq!(p.next_request().map(|r| (r.limit, r.offset)), Some((1, 1)));
        assert_eq!(p.since(), Some(C));
    }

    #[test]
    fn keyset_paging_ends_when_the_server_keeps_the_same_time_forever() {
        // Full pages of new records, all changed at A, and always one page more reported.
        let mut p = Pager::keyset(100, 0, Keyset::new(A));
        let mut log = Log::new();
        let mut pages = 0;
        while let Some(req) = p.next_request() {
            assert!(pages < 1_000, "still paging after 1,000 pages");
            pages += 1;
            let range = format!(
                "items {}-{}/{}",
                req.offset,
                req.offset + req.limit - 1,
                req.offset + 2 * req.limit
            );
            let times = vec![Some(ChangeTime::new(A)); 100];
            p.on_keyset_page(req, PageAnswer::new(100, Some(&range)), &times, &mut log);
        }
        // Rule 8 over the whole result: 200 first reported, followed up to 200 + 10,000.
        assert_eq!(p.received(), 200 + GROWTH_ALLOWANCE_MIN);
        let warned = warnings(&log);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(warned[0].contains("past 10200"), "{}", warned[0]);
    }

    #[test]
    fn keyset_paging_ends_on_the_same_page_again_and_says_what_was_asked() {
        let mut p = Pager::keyset(3, 0, Keyset::new(A));
        let mut log = Log::new();
        let r1 = p.next_request().unwrap();
        p.on_keyset_page(
            r1,
            PageAnswer::new(3, Some("items 0-2/9")),
            &[A, B, C].map(|t| Some(ChangeTime::new(t))),
            &mut log,
        );
        // The same records again, where the offset was ignored.
        let r2 = p.next_request().unwrap();
        let again = PageAnswer {
            count: 3,
            repeated: 3,
            content_range: Some("items 1-3/9"),
        };
        assert_eq!(
            p.on_keyset_page(
                r2,
                again,
                &[A, B, C].map(|t| Some(ChangeTime::new(t))),
                &mut log
            ),
            0
        );
        assert!(p.is_done());
        assert_eq!(
            warnings(&log),
            [format!(
                "the request for 3 records changed since {C} from offset 1 was answered with the \
                 same 3 records as the request before: the endpoint does not page; the query \
                 stops here after 3 documents and this page is dropped, so that no record is \
                 delivered twice"
            )]
        );
        // A record changed meanwhile makes the total of the whole result grow: no warning.
        let mut p = Pager::keyset(3, 0, Keyset::new(A));
        let mut log = Log::new();
        run_keyset(
            &mut p,
            &mut log,
            &[
                (3, Some("items 0-2/5"), &[A, A, B]),
                (3, Some("items 1-3/4"), &[C, C, C]),
            ],
        );
        assert!(p.is_done());
        assert!(warnings(&log).is_empty(), "{log:?}");
        assert!(
            log.entries()
                .iter()
                .any(|(_, m)| m.contains("changed from 5 to 6 while paging"))
        );
        // Records not ordered by their change time: T never goes back, the offset goes on.
        let mut p = Pager::keyset(2, 0, Keyset::new(B));
        let mut log = Log::new();
        let asked = run_keyset(
            &mut p,
            &mut log,
            &[
                (2, Some("items 0-1/6"), &[B, A]),
                (2, Some("items 2-3/6"), &[C, C]),
            ],
        );
        assert_eq!(asked, [(B.to_owned(), 2, 0), (B.to_owned(), 2, 2)]);
        assert_eq!(p.since(), Some(C));
        assert_eq!(
            warnings(&log),
            [format!(
                "the last record of the page changed at {A}, before {B} (the records are not \
                 ordered by their change time): the next page is asked from the same change \
                 time {B} at offset 2, as paging by offset would, so a record that changes \
                 meanwhile can make another one be missed"
            )]
        );
    }

    #[test]
    fn pages_are_planned_ahead_only_while_the_answers_are_steady() {
        let req = |limit, offset| PageRequest { limit, offset };
        let mut p = Pager::new(100, 0);
        // Nothing is known before the first answer.
        assert_eq!(p.planned(4), [req(100, 0)]);
        let mut log = Log::new();
        p.on_page(
            req(100, 0),
            PageAnswer::new(100, Some("items 0-99/350")),
            &mut log,
        );
        assert_eq!(
            p.planned(4),
            [req(100, 100), req(100, 200), req(100, 300)],
            "never past the total"
        );
        assert_eq!(p.planned(1), [req(100, 100)]);
        // Maximum Documents caps the plan and the last request's limit.
        let mut p = Pager::new(100, 250);
        p.on_page(
            req(100, 0),
            PageAnswer::new(100, Some("items 0-99/1000")),
            &mut log,
        );
        assert_eq!(p.planned(16), [req(100, 100), req(50, 200)]);
        // A changing total: one page at a time from then on, with a warning saying so.
        let mut p = Pager::new(100, 0);
        let mut log = Log::new();
        p.on_page(
            req(100, 0),
            PageAnswer::new(100, Some("items 0-99/1000")),
            &mut log,
        );
        p.on_page(
            req(100, 100),
            PageAnswer::new(100, Some("items 100-199/900")),
            &mut log,
        );
        assert_eq!(p.planned(4), [req(100, 200)]);
        assert!(
            warnings(&log)
                .iter()
                .any(|w| w.contains("changed from 1000 to 900") && w.contains("one at a time"))
        );
        // No usable range, or a short page before the end: one at a time.
        let mut p = Pager::new(100, 0);
        p.on_page(req(100, 0), PageAnswer::new(100, None), &mut log);
        assert_eq!(p.planned(4).len(), 1);
        let mut p = Pager::new(100, 0);
        p.on_page(
            req(100, 0),
            PageAnswer::new(60, Some("items 0-59/1000")),
            &mut log,
        );
        assert_eq!(p.planned(4), [req(100, 60)]);
    }
}
