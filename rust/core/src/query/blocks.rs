//! The fast way to split a page: 64 bytes at a time, with SIMD compares, instead of token by token.
//!
//! A page of Connect records has a token every five bytes or so, and checking each token against
//! the JSON grammar costs more than receiving the page. The split only needs the structure: where
//! strings are (with their escapes), how brackets nest, and the array's own syntax around its
//! elements. So each block of 64 bytes becomes bit masks (quotes, backslashes, brackets, control
//! bytes); a prefix XOR of the unescaped quotes marks what is inside strings; the brackets
//! outside strings give every element's extent. Most of a Connect record lies deeper than its own
//! members (an asset's product, parameters, tiers): a block whose brackets all stay that deep only
//! moves the nesting depth by its counts of opening and closing brackets; the brackets of other
//! blocks are visited one by one. The top-level `id` and `status` of an object element are read
//! from the strings that open at the element's own level, once the element is complete.
//!
//! What is checked: UTF-8 (by the caller), strings (closed, no raw control bytes, valid escapes),
//! brackets (balanced, none outside the array; matched by kind for the array, each element and the
//! element's member values), no backslash outside a string, and the array's syntax exactly (`[`,
//! elements separated by single commas, `]`, whitespace). What is not: the grammar inside an
//! element (numbers, `true`/`false`/`null`, `:` and `,` between members, the kinds of brackets
//! nested deeper than the member values). Such an element is delivered as Connect sent it, byte for
//! byte. Anything outside the common shape (an element that is not an object or array, any of the
//! errors above) makes [`BlockSplitter`] give up with [`Fallback`], and the exact scanner decides
//! the page.

use crate::wire::{PageDocument, TrackedText};

use super::split::{TRACKED, next_special, skip_ws, tracked_slot, tracked_text};

/// The page needs the exact scanner: an error, or a shape this splitter does not handle.
#[derive(Debug)]
pub struct Fallback;

/// Where the page's own array is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Top {
    /// Before the `[`.
    Before,
    /// After the `[`, before any element.
    Open,
    /// Inside an element.
    Element,
    /// After an element (commas counted since).
    After,
    /// After the `]`.
    Closed,
}

/// The bytes of one 64-byte block that are of each kind, bit i for byte i.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` or `[`.
    open: u64,
    /// `}` or `]`.
    close: u64,
    /// Below 0x20.
    control: u64,
}

/// Splits a page block by block; see the module docs.
#[derive(Debug)]
pub struct BlockSplitter {
    /// Offset of the next block to look at.
    next: usize,
    /// All ones when the last block ended inside a string.
    in_string: u64,
    /// The first byte of the next block is escaped by a backslash that ended the last one.
    escape_first: bool,
    /// How many brackets are open (the array's own `[` is the first).
    depth: usize,
    /// The kinds of the open brackets up to [`KINDS_CHECKED`] deep, innermost in bit 0: 1 for `{`,
    /// 0 for `[`.
    kinds: u8,
    /// Whether the current element is an object.
    object: bool,
    top: Top,
    /// Commas between the array's elements since the last one.
    commas: u32,
    element_start: usize,
    /// Where strings open at the top level of the current element, when it is an object.
    candidates: Vec<usize>,
    /// Whether the block being looked at has a backslash.
    block_has_backslash: bool,
    /// Whether a block the current element overlaps has a backslash: without one, none of its
    /// member names has an escape.
    backslash_in_element: bool,
    documents: Vec<PageDocument>,
    /// Set when this CPU has AVX2 and the rest (see [`x86::Avx2`]): the blocks are then looked at
    /// by code compiled for it. The result is the same either way.
    #[cfg(target_arch = "x86_64")]
    avx2: Option<x86::Avx2>,
}

impl Default for BlockSplitter {
    fn default() -> Self {
        BlockSplitter {
            next: 0,
            in_string: 0,
            escape_first: false,
            depth: 0,
            kinds: 0,
            object: false,
            top: Top::Before,
            commas: 0,
            element_start: 0,
            candidates: Vec::new(),
            block_has_backslash: false,
            backslash_in_element: false,
            documents: Vec::new(),
            #[cfg(target_arch = "x86_64")]
            avx2: x86::Avx2::detect(),
        }
    }
}

/// Bytes a block needs after it: a `\u` escape in its last byte reads four more.
const LOOK_AHEAD: usize = 5;
/// Depth up to which brackets are matched by kind: the array, an element, its member values.
/// Deeper ones only count (see the module docs), which lets whole blocks skip bracket by bracket.
const KINDS_CHECKED: usize = 3;

impl BlockSplitter {
    /// A splitter that uses only the instructions every CPU of the target has (SSE2 on x86-64), as
    /// on a CPU without AVX2; for tests that compare the two.
    pub(crate) fn portable() -> Self {
        BlockSplitter {
            #[cfg(target_arch = "x86_64")]
            avx2: None,
            ..BlockSplitter::default()
        }
    }

    /// Looks at the whole blocks `body` (everything received so far) adds.
    pub fn advance(&mut self, body: &[u8]) -> Result<(), Fallback> {
        let end = body.len().saturating_sub(LOOK_AHEAD);
        self.blocks(body, end)
    }

    /// The documents of the whole `body`.
    pub fn finish(mut self, body: &[u8]) -> Result<Vec<PageDocument>, Fallback> {
        self.blocks(body, body.len())?;
        if self.next < body.len() {
            // The last part block, padded with spaces (whitespace wherever it lands).
            let mut last = [b' '; 64];
            last[..body.len() - self.next].copy_from_slice(&body[self.next..]);
            self.block(Portable, body, &last)?;
        }
        if self.top != Top::Closed || self.in_string != 0 || self.escape_first {
            return Err(Fallback);
        }
        Ok(self.documents)
    }

    /// The whole blocks of `body` that end by `end`.
    fn blocks(&mut self, body: &[u8], end: usize) -> Result<(), Fallback> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = self.avx2 {
            return avx2.blocks(self, body, end);
        }
        self.blocks_with(Portable, body, end)
    }

    /// [`BlockSplitter::blocks`] with the instructions of `isa`. Always inlined, so that it is
    /// compiled once for each `isa` with that `isa`'s features.
    #[inline(always)]
    fn blocks_with(&mut self, isa: impl Isa, body: &[u8], end: usize) -> Result<(), Fallback> {
        let (blocks, _) = body[self.next..end.max(self.next)].as_chunks::<64>();
        for block in blocks {
            self.block(isa, body, block)?;
        }
        Ok(())
    }

    /// One block, at `self.next` in `body`.
    #[inline(always)]
    fn block(&mut self, isa: impl Isa, body: &[u8], block: &[u8; 64]) -> Result<(), Fallback> {
        let m = &isa.classify(block);
        let base = self.next;
        self.next += 64;
        self.block_has_backslash = m.backslash != 0;
        self.backslash_in_element |= self.block_has_backslash;
        let escaped = if m.backslash != 0 || self.escape_first {
            self.escapes(body, base, m.backslash)?
        } else {
            0
        };
        let quotes = m.quote & !escaped;
        let in_string = isa.prefix_xor(quotes) ^ self.in_string;
        self.in_string = 0u64.wrapping_sub(in_string >> 63);
        // Inside a string: no raw control byte; outside: no backslash.
        if m.control & in_string != 0 || m.backslash & !in_string != 0 {
            return Err(Fallback);
        }
        let opening_quotes = quotes & in_string;
        let opens = m.open & !in_string;
        let closes = m.close & !in_string;
        // A bracket is deep when it opens at depth KINDS_CHECKED or more, or closes at more: it
        // only moves the depth, and the bytes around it are inside a member value. When the depth
        // cannot fall below KINDS_CHECKED in this block (typically: all of it inside an asset),
        // every bracket is deep, and only the counts matter.
        let close_count = closes.count_ones() as usize;
        if self.depth >= KINDS_CHECKED + close_count {
            self.depth = self.depth + opens.count_ones() as usize - close_count;
            return Ok(());
        }
        let mut brackets = opens | closes;
        let mut from = 0;
        while brackets != 0 {
            let to = brackets.trailing_zeros();
            brackets &= brackets - 1;
            let open = ((opens >> to) & 1) as usize;
            if self.depth + open > KINDS_CHECKED {
                // Without a branch on which way it goes.
                self.depth = self.depth + 2 * open - 1;
            } else {
                self.stretch(block, opening_quotes, base, bits(from, to))?;
                let at = base + to as usize;
                // 1 for `{` and `}`, 0 for `[` and `]`.
                let kind = (block[to as usize] >> 5) & 1;
                if open == 1 {
                    self.open(kind, at)?;
                } else {
                    self.close(kind, at, body)?;
                }
            }
            from = to + 1;
        }
        self.stretch(block, opening_quotes, base, bits(from, 64))
    }

    /// The escaped bytes of a block whose backslashes are `backslash`, each escape checked.
    fn escapes(&mut self, body: &[u8], base: usize, backslash: u64) -> Result<u64, Fallback> {
        let mut escaped = u64::from(self.escape_first);
        self.escape_first = false;
        // In order: a backslash escapes the next byte unless it is escaped itself.
        let mut rest = backslash & !escaped;
        while rest != 0 {
            let i = rest.trailing_zeros();
            rest &= rest - 1;
            if escaped >> i & 1 == 1 {
                continue;
            }
            if i == 63 {
                self.escape_first = true;
            } else {
                escaped |= 1 << (i + 1);
            }
        }
        let mut check = escaped;
        while check != 0 {
            let at = base + check.trailing_zeros() as usize;
            check &= check - 1;
            match body.get(at) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                Some(b'u') => match body.get(at + 1..at + 5) {
                    Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => {}
                    _ => return Err(Fallback),
                },
                _ => return Err(Fallback),
            }
        }
        Ok(escaped)
    }

    /// The bytes `stretch` of a block, between two brackets: all at the current depth.
    #[inline]
    fn stretch(
        &mut self,
        block: &[u8; 64],
        opening_quotes: u64,
        base: usize,
        stretch: u64,
    ) -> Result<(), Fallback> {
        match self.depth {
            // Around the array: whitespace only.
            0 if between_elements(block, stretch)? != 0 => return Err(Fallback),
            0 => {}
            // Between elements: whitespace and commas only (an element that is not an object or
            // array shows here too, and goes to the exact scanner).
            1 => self.commas += between_elements(block, stretch)?,
            // The top level of an object element: where its member names (and string values) are.
            2 if self.object => {
                let mut opening = opening_quotes & stretch;
                while opening != 0 {
                    self.candidates
                        .push(base + opening.trailing_zeros() as usize);
                    opening &= opening - 1;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An opening bracket of `kind` at depth 0 to 2.
    fn open(&mut self, kind: u8, at: usize) -> Result<(), Fallback> {
        match (self.depth, self.top) {
            (0, Top::Before) if kind == 0 => self.top = Top::Open,
            (0, _) => return Err(Fallback),
            (1, Top::Open) if self.commas == 0 => self.element(kind, at),
            (1, Top::After) if self.commas == 1 => self.element(kind, at),
            (1, _) => return Err(Fallback),
            _ => {}
        }
        self.kinds = (self.kinds << 1) | kind;
        self.depth += 1;
        Ok(())
    }

    fn element(&mut self, kind: u8, at: usize) {
        self.top = Top::Element;
        self.object = kind == 1;
        self.element_start = at;
        self.candidates.clear();
    }

    /// A closing bracket of `kind` at depth 1 to 3.
    fn close(&mut self, kind: u8, at: usize, body: &[u8]) -> Result<(), Fallback> {
        if self.depth == 0 || self.kinds & 1 != kind {
            return Err(Fallback);
        }
        self.kinds >>= 1;
        self.depth -= 1;
        match self.depth {
            0 => {
                // The array's `]`: after `[` or an element, without a comma before it.
                if !matches!(self.top, Top::Open | Top::After) || self.commas != 0 {
                    return Err(Fallback);
                }
                self.top = Top::Closed;
            }
            1 => {
                let end = at + 1;
                let tracked = if self.object {
                    self.tracked(body, end)
                } else {
                    [None, None]
                };
                self.documents.push(PageDocument {
                    start: self.element_start,
                    end,
                    tracked,
                });
                // The rest of this block may hold the next element.
                self.backslash_in_element = self.block_has_backslash;
                self.top = Top::After;
                self.commas = 0;
            }
            _ => {}
        }
        Ok(())
    }

    /// The `id` and `status` members of the object element that ends at `end`, read as the exact
    /// scanner reads them: from the strings that open at the element's top level, those followed
    /// by `:` being its member names. Escaped names and values are decoded; a repeated or
    /// undecodable one leaves the document untracked.
    fn tracked(&self, body: &[u8], end: usize) -> [Option<TrackedText>; 2] {
        let element = &body[..end];
        let mut tracked: [Option<TrackedText>; 2] = [None, None];
        let mut seen = [false; 2];
        // What a tracked name can start with: its first letter, or an escape.
        const INITIALS: [u8; 3] = [TRACKED[0].as_bytes()[0], TRACKED[1].as_bytes()[0], b'\\'];
        for &open in &self.candidates {
            // Any other string is not a tracked name. Without escapes it is not an undecodable
            // name either (which leaves the document untracked, below): no need to read it.
            if !self.backslash_in_element
                && !element.get(open + 1).is_some_and(|b| INITIALS.contains(b))
            {
                continue;
            }
            // A string right after `:` is a member's value, not its name: no need to read it.
            let before = element[..open]
                .iter()
                .rev()
                .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            if before == Some(&b':') {
                continue;
            }
            let Some((name_end, name_escaped)) = string_end(element, open) else {
                return [None, None];
            };
            let after = skip_ws(element, name_end);
            if element.get(after) != Some(&b':') {
                // A string value, not a member name.
                continue;
            }
            let Ok(slot) = tracked_slot(&element[open..name_end], name_escaped) else {
                return [None, None];
            };
            let Some(n) = slot else { continue };
            if seen[n] {
                return [None, None];
            }
            seen[n] = true;
            let value = skip_ws(element, after + 1);
            tracked[n] = match element.get(value) {
                Some(b'"') => {
                    let Some((value_end, escaped)) = string_end(element, value) else {
                        return [None, None];
                    };
                    if escaped {
                        match tracked_text(&element[value..value_end]) {
                            Ok(text) => text.map(TrackedText::Text),
                            Err(()) => return [None, None],
                        }
                    } else {
                        Some(TrackedText::At(value + 1, value_end - 1))
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    let number_end = value
                        + element[value..]
                            .iter()
                            .take_while(|b| {
                                matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                            })
                            .count();
                    match tracked_text(&element[value..number_end]) {
                        Ok(text) => text.map(TrackedText::Text),
                        Err(()) => return [None, None],
                    }
                }
                // An object, array, `true`, `false` or `null`: no text.
                _ => None,
            };
        }
        tracked
    }
}

/// The commas among the bytes `stretch` of `block`, which must be whitespace otherwise. Looked at
/// a byte at a time: such stretches (around the array and between its elements) are a few bytes
/// each, a few per page.
fn between_elements(block: &[u8; 64], mut stretch: u64) -> Result<u32, Fallback> {
    let mut commas = 0;
    while stretch != 0 {
        match block[stretch.trailing_zeros() as usize] {
            b',' => commas += 1,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => return Err(Fallback),
        }
        stretch &= stretch - 1;
    }
    Ok(commas)
}

/// The end (after the closing quote) of the string that opens at `open`, and whether it has
/// escapes. The block pass has checked the string already.
fn string_end(b: &[u8], open: usize) -> Option<(usize, bool)> {
    let mut i = open + 1;
    let mut escaped = false;
    loop {
        i = next_special(b, i);
        match b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
}

/// Bits `from..to` (`to` at most 64).
fn bits(from: u32, to: u32) -> u64 {
    let below_to = if to >= 64 { !0 } else { (1u64 << to) - 1 };
    let from_up = if from >= 64 { 0 } else { !0u64 << from };
    below_to & from_up
}

/// What looking at a block takes from the CPU. The implementations give the same results.
trait Isa: Copy {
    /// The masks of a block.
    fn classify(self, block: &[u8; 64]) -> Masks;
    /// Bit i is the XOR of bits 0..=i: set from an opening quote up to (not including) its
    /// closing one.
    fn prefix_xor(self, x: u64) -> u64;
}

/// The instructions every CPU of the target has.
#[derive(Clone, Copy, Debug)]
struct Portable;

impl Isa for Portable {
    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> Masks {
        classify(block)
    }

    #[inline(always)]
    fn prefix_xor(self, x: u64) -> u64 {
        prefix_xor(x)
    }
}

/// [`Isa::prefix_xor`] by shifts.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The masks of a block with the target's baseline instructions.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    // SAFETY: SSE2 is part of the x86-64 baseline: every CPU this code can run on has it.
    unsafe { sse2::classify(block) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> Masks {
    classify_bytes(block)
}

/// The masks of one block, a byte at a time (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(block: &[u8]) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in block.iter().enumerate().take(64) {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
        if b < 0x20 {
            m.control |= bit;
        }
    }
    m
}

/// AVX2 and carry-less multiplication, on the x86-64 CPUs that have them (Intel since 2013, every
/// AMD Zen): half the instructions to classify a block, one to find its strings, and POPCNT and
/// TZCNT for the bit counting. Chosen at run time, so the library still loads on older CPUs.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{BlockSplitter, Fallback, Isa, Masks};
    use std::arch::x86_64::{
        __m256i, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x, _mm_set1_epi8,
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };

    /// Proof that this CPU has the features of [`blocks_avx2`]: only [`Avx2::detect`] makes one.
    #[derive(Clone, Copy, Debug)]
    pub(super) struct Avx2(());

    impl Avx2 {
        pub(super) fn detect() -> Option<Avx2> {
            let all = std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("pclmulqdq")
                && std::is_x86_feature_detected!("popcnt")
                && std::is_x86_feature_detected!("bmi1");
            all.then_some(Avx2(()))
        }

        /// [`BlockSplitter::blocks`] compiled for these features.
        pub(super) fn blocks(
            self,
            splitter: &mut BlockSplitter,
            body: &[u8],
            end: usize,
        ) -> Result<(), Fallback> {
            // SAFETY: `self` exists, so the CPU has every feature `blocks_avx2` enables.
            unsafe { blocks_avx2(self, splitter, body, end) }
        }
    }

    #[target_feature(enable = "avx2,pclmulqdq,popcnt,bmi1")]
    fn blocks_avx2(
        isa: Avx2,
        splitter: &mut BlockSplitter,
        body: &[u8],
        end: usize,
    ) -> Result<(), Fallback> {
        splitter.blocks_with(isa, body, end)
    }

    impl Isa for Avx2 {
        #[inline(always)]
        fn classify(self, block: &[u8; 64]) -> Masks {
            // SAFETY: `self` exists, so the CPU has AVX2.
            unsafe { classify(block) }
        }

        #[inline(always)]
        fn prefix_xor(self, x: u64) -> u64 {
            // SAFETY: `self` exists, so the CPU has PCLMULQDQ.
            unsafe { prefix_xor(x) }
        }
    }

    /// The carry-less product with all ones: bit i is the XOR of bits 0..=i.
    #[target_feature(enable = "pclmulqdq")]
    #[inline]
    fn prefix_xor(x: u64) -> u64 {
        let ones = _mm_set1_epi8(-1);
        _mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), ones, 0)) as u64
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    fn classify(block: &[u8; 64]) -> Masks {
        let quote = _mm256_set1_epi8(b'"' as i8);
        let backslash = _mm256_set1_epi8(b'\\' as i8);
        let bit_20 = _mm256_set1_epi8(0x20);
        let open = _mm256_set1_epi8(b'{' as i8);
        let close = _mm256_set1_epi8(b'}' as i8);
        let below_20 = _mm256_set1_epi8(0x1f);
        let mask = |x: __m256i| u64::from(_mm256_movemask_epi8(x) as u32);
        let mut m = Masks::default();
        for (k, half) in block.as_chunks::<32>().0.iter().enumerate() {
            // SAFETY: `half` is 32 readable bytes; the load has no alignment requirement.
            let v = unsafe { _mm256_loadu_si256(half.as_ptr().cast()) };
            let shift = 32 * k;
            // As in the SSE2 version.
            let folded = _mm256_or_si256(v, bit_20);
            m.quote |= mask(_mm256_cmpeq_epi8(v, quote)) << shift;
            m.backslash |= mask(_mm256_cmpeq_epi8(v, backslash)) << shift;
            m.open |= mask(_mm256_cmpeq_epi8(folded, open)) << shift;
            m.close |= mask(_mm256_cmpeq_epi8(folded, close)) << shift;
            m.control |= mask(_mm256_cmpeq_epi8(_mm256_min_epu8(v, below_20), v)) << shift;
        }
        m
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::Masks;
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) fn classify(block: &[u8; 64]) -> Masks {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let bit_20 = _mm_set1_epi8(0x20);
        let open = _mm_set1_epi8(b'{' as i8);
        let close = _mm_set1_epi8(b'}' as i8);
        let below_20 = _mm_set1_epi8(0x1f);
        let mask = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16);
        let mut m = Masks::default();
        for (k, part) in block.as_chunks::<16>().0.iter().enumerate() {
            // SAFETY: `part` is 16 readable bytes; the load has no alignment requirement.
            let v = unsafe { _mm_loadu_si128(part.as_ptr().cast()) };
            let shift = 16 * k;
            // `{`/`[` and `}`/`]` differ only in bit 0x20.
            let folded = _mm_or_si128(v, bit_20);
            m.quote |= mask(_mm_cmpeq_epi8(v, quote)) << shift;
            m.backslash |= mask(_mm_cmpeq_epi8(v, backslash)) << shift;
            m.open |= mask(_mm_cmpeq_epi8(folded, open)) << shift;
            m.close |= mask(_mm_cmpeq_epi8(folded, close)) << shift;
            // Below 0x20: unchanged by a minimum with 0x1f.
            m.control |= mask(_mm_cmpeq_epi8(_mm_min_epu8(v, below_20), v)) << shift;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_masks_are_the_bytes_kinds() {
        masks_are_the_bytes_kinds(Portable);
        #[cfg(target_arch = "x86_64")]
        if let Some(isa) = x86::Avx2::detect() {
            masks_are_the_bytes_kinds(isa);
        }
    }

    fn masks_are_the_bytes_kinds(isa: impl Isa) {
        // Every byte value at every position, against the byte-by-byte reference.
        for start in 0..=255u8 {
            let mut block = [0u8; 64];
            for (i, b) in block.iter_mut().enumerate() {
                *b = start.wrapping_add((i * 37) as u8);
            }
            assert_eq!(isa.classify(&block), classify_bytes(&block), "{start}");
        }
        let text: &[u8; 64] = b"[{\"a\\\"\":[1, 2]},\t{}]\n\r \x01\x1f\x7f\xc3\xa9 {[}]\\\"\",,,........................x";
        assert_eq!(isa.classify(text), classify_bytes(text));
    }

    #[test]
    fn every_instruction_set_finds_the_same_strings() {
        strings_by_parity(Portable);
        #[cfg(target_arch = "x86_64")]
        if let Some(isa) = x86::Avx2::detect() {
            strings_by_parity(isa);
        }
    }

    fn strings_by_parity(isa: impl Isa + std::fmt::Debug) {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            // xorshift: quote masks of every density.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for quotes in [
                x,
                x & (x >> 3),
                x & (x >> 1) & (x >> 5),
                1 << (x % 64),
                0,
                !0,
            ] {
                let expected = (0..64).fold(0u64, |acc, i| {
                    let below = quotes & (u64::MAX >> (63 - i));
                    acc | (u64::from(below.count_ones() % 2 == 1) << i)
                });
                assert_eq!(isa.prefix_xor(quotes), expected, "{isa:?} {quotes:#x}");
            }
        }
    }

    #[test]
    fn every_instruction_set_splits_the_same() {
        let record = |n: usize| {
            format!(
                r#"{{"id":"PR-{n}","status":"pending","asset":{{"params":[{{"id":"p","value":"a\"b{{[\\"}}],"tiers":{{"customer":{{"name":"é {n}"}}}}}},"note":"{}"}}"#,
                "x".repeat(n % 97)
            )
        };
        let page = format!(
            "[{}]",
            (0..300).map(record).collect::<Vec<_>>().join(",\n ")
        );
        let mut results = Vec::new();
        for splitter in [BlockSplitter::default(), BlockSplitter::portable()] {
            let mut splitter = splitter;
            // In pieces, as pages arrive.
            for end in (0..page.len()).step_by(1000) {
                splitter.advance(&page.as_bytes()[..end]).unwrap();
            }
            results.push(splitter.finish(page.as_bytes()).unwrap());
        }
        assert_eq!(results[0].len(), 300);
        assert_eq!(results[0], results[1]);
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            BlockSplitter::default().avx2.is_some(),
            std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("pclmulqdq")
                && std::is_x86_feature_detected!("popcnt")
                && std::is_x86_feature_detected!("bmi1")
        );
    }

    #[test]
    fn prefix_xor_marks_strings() {
        assert_eq!(prefix_xor(0b1001), 0b0111);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
        assert_eq!(prefix_xor(1), !0);
        assert_eq!(bits(0, 64), !0);
        assert_eq!(bits(3, 5), 0b11000);
        assert_eq!(bits(64, 64), 0);
        assert_eq!(bits(7, 7), 0);
    }

    fn split(page: &str) -> Result<Vec<(String, Option<String>)>, Fallback> {
        let body = page.as_bytes();
        let mut s = BlockSplitter::default();
        s.advance(body)?;
        Ok(s.finish(body)?
            .into_iter()
            .map(|d| {
                let id = d.tracked[0].as_ref().map(|t| match t {
                    TrackedText::At(a, b) => page[*a..*b].to_owned(),
                    TrackedText::Text(t) => t.clone(),
                });
                (page[d.start..d.end].to_owned(), id)
            })
            .collect())
    }

    #[test]
    fn splits_arrays_of_objects_and_arrays_by_their_brackets() {
        let long = "x".repeat(200);
        let page = format!(
            " [ {{\"id\":\"PR-1\",\"a\":{{\"id\":\"no\"}},\"s\":\"}}]\\\"{{\"}} ,\n[1,[2,{{}}]],{{\"k\":\"{long}\",\"id\":12.5e1}},{{\"i\\u0064\":\"é\\n\"}}]\t"
        );
        let docs = split(&page).unwrap();
        assert_eq!(docs.len(), 4);
        assert_eq!(
            docs[0],
            (
                r#"{"id":"PR-1","a":{"id":"no"},"s":"}]\"{"}"#.to_owned(),
                Some("PR-1".to_owned())
            )
        );
        assert_eq!(docs[1], ("[1,[2,{}]]".to_owned(), None));
        assert_eq!(docs[2].1.as_deref(), Some("125.0"));
        assert_eq!(docs[3].1.as_deref(), Some("é\n"));
        assert_eq!(split(" [ ] ").unwrap(), []);
    }

    #[test]
    fn leaves_the_grammar_inside_an_element_alone() {
        // Bytes as sent: Boomi gets the document, not a failed page.
        let docs = split(r#"[{"id":"a" "b":tru,},{"id":"c"}]"#).unwrap();
        assert_eq!(docs[0].0, r#"{"id":"a" "b":tru,}"#);
        assert_eq!(docs[1], (r#"{"id":"c"}"#.to_owned(), Some("c".to_owned())));
        // Brackets deeper than the member values only count; their kinds are grammar too.
        let docs = split(r#"[{"a":[{"b":[1}]],"id":"x"}]"#).unwrap();
        assert_eq!(docs[0].0, r#"{"a":[{"b":[1}]],"id":"x"}"#);
        assert_eq!(docs[0].1.as_deref(), Some("x"));
    }

    #[test]
    fn tracks_as_the_exact_scanner_does() {
        let pad = "x".repeat(70);
        for page in [
            // An undecodable name anywhere leaves the document untracked.
            r#"[{"!sa\ud83d\ud830/us":"y","id":"c"}]"#.to_owned(),
            format!(r#"[{{"p":"{pad}"}},{{"!\ud800":1,"q":"{pad}","id":"c"}}]"#),
            // Escapes in values, or in the element before, change nothing.
            format!(r#"[{{"p":"\n{pad}"}},{{"q":"{pad}","id":"c","s":"\u00e9"}}]"#),
            r#"[{"i\u0064":"a","status":"s"},{"\u0073tatus":"t"}]"#.to_owned(),
        ] {
            let mut blocks = BlockSplitter::default();
            blocks.advance(page.as_bytes()).unwrap();
            let got = blocks.finish(page.as_bytes()).unwrap();
            let exact = crate::query::split_page(page.as_bytes()).unwrap();
            assert_eq!(
                got,
                crate::query::as_documents(page.as_bytes(), &exact),
                "{page}"
            );
        }
    }

    #[test]
    fn follows_any_depth() {
        // Deep all the way through a block, and back to the element in another.
        let inner = format!("{}{}", "[".repeat(500), "]".repeat(500));
        let page = format!(r#"[{{"id":"deep","a":{inner}}},{{"id":"next"}}]"#);
        let docs = split(&page).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0, format!(r#"{{"id":"deep","a":{inner}}}"#));
        assert_eq!(docs[1].1.as_deref(), Some("next"));
        let unbalanced = format!(r#"[{{"a":{}{}}}]"#, "[".repeat(300), "]".repeat(299));
        assert!(split(&unbalanced).is_err());
    }

    #[test]
    fn gives_up_on_anything_else() {
        for page in [
            "",
            "[",
            "[1]",
            "[\"a\"]",
            "[{},1]",
            "[{}{}]",
            "[{},]",
            "[,{}]",
            "[{},,{}]",
            "[{}] x",
            "x[{}]",
            "[{]}",
            "[{\"a\":[}]]",
            "[{\"a\":[{}}]}]",
            "[{\"a\":\"\u{1}\"}]",
            "[{\"a\":\"\\x\"}]",
            "[{\"a\":\"\\u12g4\"}]",
            "[{\"a\":\"b}]",
            "[{\\}]",
            "[{}]]",
            "{}",
        ] {
            assert!(split(page).is_err(), "{page:?}");
        }
    }
}
