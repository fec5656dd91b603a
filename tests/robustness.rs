//! No input file, however malformed, makes gazette panic: every content file
//! of the shipped site is cut short, spliced and sprinkled with odd bytes, and
//! each variant is loaded, resolved and rendered.

mod common;

use common::*;
use gazette::build::{self, BuildOptions};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ODD: &[&[u8]] = &[
    b"\xff\xfe",
    b"\0",
    b"---",
    b"\n---\n",
    b"[[",
    b"]]",
    b"[@",
    b"[[provision/",
    b"{ within_days: -1, of: x }",
    b"due: { within_days: 99999999999, of: signing }",
    b": [",
    b"\t",
    b"\r\n",
    b"&",
    b"<script>",
    b"\xe2\x80",
    b"#",
    b"{% raw %}",
    b"{{ x }}",
    b"\xf0\x9f\x98\x80",
    b"9999-99-99",
    b"- id: x\n",
    b"*",
    b"`",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut b = original.to_vec();
    match rng.below(4) {
        0 => b.truncate(rng.below(b.len())),
        1 => {
            let at = rng.below(b.len());
            let odd = ODD[rng.below(ODD.len())];
            b.splice(at..at, odd.iter().copied());
        }
        2 => {
            let (a, c) = (rng.below(b.len()), rng.below(b.len()));
            let (lo, hi) = (a.min(c), a.max(c));
            b.drain(lo..hi);
        }
        _ => {
            for _ in 0..1 + rng.below(5) {
                let at = rng.below(b.len());
                if at < b.len() {
                    b[at] = (rng.next() & 0xff) as u8;
                }
            }
        }
    }
    b
}

#[test]
fn malformed_content_never_panics() {
    let (_tmp, root) = copy_shipped_site();
    let opts = BuildOptions {
        as_of: Some(jiff::civil::date(2026, 7, 1)),
        ..BuildOptions::new(&root)
    };
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let content: Vec<_> = files(&root.join("content"))
        .into_iter()
        .map(|r| root.join("content").join(r))
        .collect();
    let mut runs = 0;
    for path in &content {
        let original = std::fs::read(path).unwrap();
        for _ in 0..4 {
            let variant = mutate(&mut rng, &original);
            std::fs::write(path, &variant).unwrap();
            let result = std::panic::catch_unwind(|| build::render(&opts).map(|_| ()));
            assert!(
                result.is_ok(),
                "panic on a variant of {}:\n{}",
                path.display(),
                String::from_utf8_lossy(&variant)
            );
            runs += 1;
        }
        std::fs::write(path, &original).unwrap();
    }
    assert!(runs > 150, "{runs} variants");
    // site.yaml too.
    let config = root.join("site.yaml");
    let original = std::fs::read(&config).unwrap();
    for _ in 0..30 {
        std::fs::write(&config, mutate(&mut rng, &original)).unwrap();
        assert!(
            std::panic::catch_unwind(|| build::render(&opts).map(|_| ())).is_ok(),
            "panic on site.yaml"
        );
    }
}
