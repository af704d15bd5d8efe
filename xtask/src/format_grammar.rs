//! The format fuzzer's grammar (see `format_fuzz`): strings built from each
//! format's parts, then mutated with random Unicode, white space and control
//! characters, from a seeded generator (the same strings for a seed).

use crate::format_fuzz::FORMATS;

/// splitmix64: small, seeded, the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }

    fn number(&mut self, low: usize, high: usize, width: usize) -> String {
        format!("{:0width$}", low + self.below(high - low + 1))
    }
}

/// Characters the implementations are likely to read differently.
const WHITE: &[&str] = &[
    " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{1c}", "\u{1d}", "\u{1e}", "\u{1f}", "\u{85}", "\u{a0}",
    "\u{1680}", "\u{2000}", "\u{200a}", "\u{200b}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}",
    "\u{3000}", "\u{feff}", "\u{180e}",
];

fn random_char(rng: &mut Rng) -> char {
    match rng.below(8) {
        0 => char::from(0x20 + rng.below(0x5f) as u8),
        1 => rng.pick(WHITE).chars().next().unwrap_or(' '),
        2 => char::from(rng.below(0x20) as u8),
        3 => rng
            .pick(&["@", ".", "\"", "\\", "<", ">", "[", "]", "-", ":", "+", "Z", "T"])
            .chars()
            .next()
            .unwrap_or('@'),
        4 => char::from_u32(0x80 + rng.below(0x780) as u32).unwrap_or('é'),
        5 => char::from_u32(rng.below(0x10000) as u32).unwrap_or('\u{fffd}'),
        6 => char::from_u32(0x10000 + rng.below(0x100000) as u32).unwrap_or('\u{1f600}'),
        _ => char::from(b'0' + rng.below(10) as u8),
    }
}

/// One to three random edits.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 => chars.insert(at, random_char(rng)),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            2 if at < chars.len() => chars[at] = random_char(rng),
            3 if at < chars.len() => {
                let end = (at + 1 + rng.below(4)).min(chars.len());
                let piece: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, piece);
            }
            _ => {
                let white = rng.pick(WHITE);
                if rng.chance(50) {
                    chars.splice(0..0, white.chars());
                } else {
                    chars.extend(white.chars());
                }
            }
        }
    }
    chars.into_iter().collect()
}

pub fn date_time(rng: &mut Rng) -> String {
    let year = match rng.below(12) {
        0 => rng
            .pick(&["0000", "9999", "1900", "2000", "2100", "2024"])
            .to_owned(),
        1 => {
            let n = 3 + 2 * rng.below(2);
            rng.digits(n)
        }
        2 => "２０２５".to_owned(),
        _ => format!("{}", 1970 + rng.below(80)),
    };
    let month = if rng.chance(90) {
        rng.number(1, 12, 2)
    } else {
        rng.pick(&["00", "13", "1", "99", "02"]).to_owned()
    };
    let day = if rng.chance(85) {
        rng.number(1, 28, 2)
    } else {
        rng.pick(&["00", "29", "30", "31", "32", "1"]).to_owned()
    };
    let sep = if rng.chance(85) {
        "-"
    } else {
        rng.pick(&["/", "\u{2212}", "", "--"])
    };
    let t = if rng.chance(80) {
        "T"
    } else {
        rng.pick(&["t", " ", "_", "TT", ""])
    };
    let (oh, om) = (
        rng.below(26),
        if rng.chance(80) {
            15 * rng.below(4)
        } else {
            rng.below(62)
        },
    );
    let sign = if rng.chance(50) { "+" } else { "-" };
    let offset = match rng.below(10) {
        0..=2 => "Z".to_owned(),
        3 => "z".to_owned(),
        4..=6 => format!("{sign}{oh:02}:{om:02}"),
        7 => format!("{sign}{oh:02}{om:02}"),
        8 => rng
            .pick(&["", "+00:00", "-00:00", "+05", "UTC", "+24:00", "+23:59"])
            .to_owned(),
        _ => {
            let n = 1 + rng.below(2);
            format!("{sign}{}:{}", rng.digits(n), rng.digits(2))
        }
    };
    let (hour, minute, second) = if rng.chance(15) {
        // A leap second, at 23:59:60 UTC in the offset's local time, or not.
        let shift = (oh * 60 + om) as i64 * if sign == "+" { 1 } else { -1 };
        let shift = if offset.starts_with(['Z', 'z']) { 0 } else { shift };
        let local = (23 * 60 + 59 + shift + if rng.chance(80) { 0 } else { 1 }).rem_euclid(1440);
        (
            format!("{:02}", local / 60),
            format!("{:02}", local % 60),
            "60".to_owned(),
        )
    } else {
        let hour = if rng.chance(92) {
            rng.number(0, 23, 2)
        } else {
            rng.pick(&["24", "25", "1", "99"]).to_owned()
        };
        let minute = if rng.chance(95) {
            rng.number(0, 59, 2)
        } else {
            "60".to_owned()
        };
        let second = if rng.chance(90) {
            rng.number(0, 59, 2)
        } else {
            rng.pick(&["60", "61", "6"]).to_owned()
        };
        (hour, minute, second)
    };
    let fraction = match rng.below(6) {
        0 => {
            let n = 1 + rng.below(12);
            format!(".{}", rng.digits(n))
        }
        1 => rng.pick(&[".", ",5", ".٣"]).to_owned(),
        _ => String::new(),
    };
    let text = format!("{year}{sep}{month}{sep}{day}{t}{hour}:{minute}:{second}{fraction}{offset}");
    if rng.chance(35) {
        mutate(rng, &text)
    } else {
        text
    }
}

/// Characters an `xn--` label may decode to, chosen for RFC 5892's rules.
const LABEL_CHARS: &[&str] = &[
    "a",
    "l",
    "é",
    "É",
    "ß",
    "ü",
    "\u{300}",
    "\u{301}",
    "\u{94d}",
    "\u{915}",
    "\u{200d}",
    "\u{200c}",
    "\u{b7}",
    "\u{375}",
    "\u{3b1}",
    "\u{5f3}",
    "\u{5d0}",
    "\u{30fb}",
    "\u{30a2}",
    "\u{3042}",
    "\u{4e00}",
    "\u{660}",
    "\u{6f0}",
    "\u{640}",
    "\u{3007}",
    "\u{302e}",
    "\u{216b}",
    "\u{b2}",
    "\u{1f600}",
    "\u{378}",
    "\u{20ac}",
    "\u{2764}",
    "\u{ff21}",
    "\u{10d0}",
    "\u{e01}",
    "\u{e31}",
    "\u{6fd}",
    "\u{f0b}",
    "-",
    "1",
];

fn label(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=1 => {
            let len = 1 + rng.below(4);
            let text: String = (0..len)
                .map(|_| {
                    if rng.chance(15) {
                        random_char(rng).to_string()
                    } else {
                        rng.pick(LABEL_CHARS).to_owned()
                    }
                })
                .collect();
            match idna::punycode::encode_str(&text) {
                Some(encoded) => format!("{}{encoded}", if rng.chance(95) { "xn--" } else { "XN--" }),
                None => "xn--a".to_owned(),
            }
        }
        2 => format!(
            "xn--{}",
            rng.pick(&[
                "9999999999a",
                "-abc",
                "a",
                "zz",
                "ls8h",
                "",
                "a-",
                "exmple-cua",
                "99999999"
            ])
        ),
        3 => rng
            .pick(&[
                "ab--cd",
                "-a",
                "a-",
                "a_b",
                "1",
                "localhost",
                "a".repeat(63).as_str(),
                "a".repeat(64).as_str(),
            ])
            .to_owned(),
        _ => {
            let len = 1 + rng.below(10);
            (0..len)
                .map(|i| {
                    let pool = if i == 0 || i == len - 1 {
                        "abcxyz0189"
                    } else {
                        "abcdefghijklmnopqrstuvwxyz0123456789-"
                    };
                    pool.chars().nth(rng.below(pool.len())).unwrap_or('a')
                })
                .collect()
        }
    }
}

fn local_part(rng: &mut Rng) -> String {
    const ATEXT: &str = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789!#$%&'*+-/=?^_`{|}~";
    match rng.below(8) {
        0 => {
            let inner: String = (0..rng.below(6))
                .map(|_| match rng.below(6) {
                    0 => rng
                        .pick(&["\\\"", "\\\\", "\\a", "\\", " ", "\t", "@", "\"", "é"])
                        .to_owned(),
                    1 => random_char(rng).to_string(),
                    _ => ATEXT
                        .chars()
                        .nth(rng.below(ATEXT.len()))
                        .unwrap_or('a')
                        .to_string(),
                })
                .collect();
            format!("\"{inner}\"")
        }
        1 => rng
            .pick(&[
                ".a",
                "a.",
                "a..b",
                "é",
                "a".repeat(64).as_str(),
                "a".repeat(65).as_str(),
                "<a",
                "",
            ])
            .to_owned(),
        _ => {
            let atoms = 1 + rng.below(3);
            (0..atoms)
                .map(|_| {
                    (0..1 + rng.below(6))
                        .map(|_| ATEXT.chars().nth(rng.below(ATEXT.len())).unwrap_or('a'))
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(".")
        }
    }
}

fn domain(rng: &mut Rng) -> String {
    if rng.chance(12) {
        return rng
            .pick(&[
                "[127.0.0.1]",
                "[IPv6:::1]",
                "[ipv6:fe80::1]",
                "[IPv6:1:2:3:4:5:6:7:8]",
                "[IPv6:::ffff:1.2.3.4]",
                "[IPv6:1::2::3]",
                "[1.2.3]",
                "[01.2.3.4]",
                "[256.1.1.1]",
                "[IPv6:fe80::1%eth0]",
                "[IPv6:1:2:3:4:5:6:7:8:9]",
                "[a b]",
                "[IPv6:::1.2.3.04]",
                "[]",
            ])
            .to_owned();
    }
    let labels = 1 + rng.below(3);
    let mut parts: Vec<String> = (0..labels).map(|_| label(rng)).collect();
    if rng.chance(70) {
        parts.push(rng.pick(&["com", "la", "org", "xn--p1ai", "co"]).to_owned());
    }
    parts.join(".")
}

pub fn email(rng: &mut Rng) -> String {
    let address = format!("{}@{}", local_part(rng), domain(rng));
    let text = if rng.chance(20) {
        let name = rng.pick(&["Jane", "\"Jane Smith\"", "J\u{e9}", "", "a <b", "\"x\\\" y\""]);
        let (w1, w2, w3) = (rng.pick(WHITE), rng.pick(WHITE), rng.pick(WHITE));
        match rng.below(4) {
            0 => format!("{name} <{address}>{w1}"),
            1 => format!("{w1}{name}{w2} <{w3}{address}>"),
            2 => format!("{name} <{address}>{w1}{w2}"),
            _ => format!("{name} <{address}>"),
        }
    } else {
        address
    };
    if rng.chance(30) {
        mutate(rng, &text)
    } else {
        text
    }
}

/// The strings of one run, per format.
pub fn strings(seed: u64, count: usize) -> Vec<(&'static str, Vec<String>)> {
    let mut rng = Rng::new(seed);
    FORMATS
        .iter()
        .map(|&format| {
            let make = if format == "email" { email } else { date_time };
            (format, (0..count).map(|_| make(&mut rng)).collect())
        })
        .collect()
}
