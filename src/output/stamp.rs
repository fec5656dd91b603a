//! What a build wrote into a file, kept beside its bytes.
//!
//! A build over the spare tree keeps a file that already holds what it would
//! write (see [`super::Staging`]). Asking the old file's bytes means reading
//! the old tree back, from disk once the page cache has let it go: a third
//! of a 100,000-provision rebuild (about 30 of 100 s on this machine). So
//! each file gazette writes carries a stamp in its extended attribute
//! `user.gazette`: a 128-bit hash of its contents, its length, and its
//! modification time once written. A stamp is believed only while the file
//! still has that length and time (an editor's change to the file moves
//! them); a file without one (a file system without user attributes, a
//! build before stamps) is compared byte by byte, as before.

use std::path::Path;

use foldhash::quality::FixedState;
use std::hash::BuildHasher;

/// Blocks hashed one at a time, so that a file streamed in pieces and the
/// same bytes in one piece have the same hash.
const BLOCK: usize = 1 << 16;
/// Two hashes of different seeds: 128 bits.
const SEEDS: [u64; 2] = [0x6761_7a65_7474_6531, 0x6761_7a65_7474_6532];

/// A file's contents, as far as a stamp tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    hash: [u64; 2],
    len: u64,
}

/// Hashes bytes given in pieces of any size.
#[derive(Default)]
pub struct Hasher {
    state: [u64; 2],
    block: Vec<u8>,
    len: u64,
}

impl Hasher {
    pub fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            if self.block.is_empty() && bytes.len() >= BLOCK {
                let (block, rest) = bytes.split_at(BLOCK);
                self.fold(block);
                bytes = rest;
                continue;
            }
            let take = (BLOCK - self.block.len()).min(bytes.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() == BLOCK {
                let block = std::mem::take(&mut self.block);
                self.fold(&block);
                self.block = block;
                self.block.clear();
            }
        }
    }

    fn fold(&mut self, block: &[u8]) {
        for (state, seed) in self.state.iter_mut().zip(SEEDS) {
            *state = FixedState::with_seed(seed).hash_one((*state, block));
        }
    }

    pub fn finish(mut self) -> Digest {
        if !self.block.is_empty() {
            let block = std::mem::take(&mut self.block);
            self.fold(&block);
        }
        Digest {
            hash: self.state,
            len: self.len,
        }
    }
}

pub fn digest(bytes: &[u8]) -> Digest {
    let mut h = Hasher::default();
    h.update(bytes);
    h.finish()
}

/// A [`Hasher`] over what is written through it.
pub struct Hashing<W> {
    pub inner: W,
    pub hasher: Hasher,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The digest the stamp of the file at `path` vouches for: None when it
/// has none, or the file changed since it was stamped.
pub fn read(path: &Path) -> Option<Digest> {
    imp::read(path)
}

/// Stamp `file`, just written whole with contents `digest`. A file system
/// without user attributes leaves it unstamped.
pub fn write(file: &std::fs::File, digest: Digest) {
    imp::write(file, digest)
}

/// Stamp the file at `path`, found to hold contents `digest`.
pub fn write_path(path: &Path, digest: Digest) {
    imp::write_path(path, digest)
}

#[cfg(target_os = "linux")]
mod imp {
    use super::Digest;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    const NAME: &std::ffi::CStr = c"user.gazette";
    /// hash (2 x 8 bytes), length, modification seconds and nanoseconds.
    const SIZE: usize = 40;

    /// The stamp's bytes for `digest` on a file of `meta`.
    fn encode(digest: Digest, meta: &std::fs::Metadata) -> [u8; SIZE] {
        let mut out = [0; SIZE];
        let fields = [
            digest.hash[0],
            digest.hash[1],
            digest.len,
            meta.mtime() as u64,
            meta.mtime_nsec() as u64,
        ];
        for (chunk, field) in out.chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        out
    }

    pub fn read(path: &Path) -> Option<Digest> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        let mut buf = [0u8; SIZE];
        // SAFETY: both strings are NUL-terminated; `buf` holds SIZE bytes.
        let n =
            unsafe { libc::lgetxattr(c.as_ptr(), NAME.as_ptr(), buf.as_mut_ptr().cast(), SIZE) };
        if n != SIZE as isize {
            return None;
        }
        let field = |i: usize| {
            let mut b = [0; 8];
            b.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(b)
        };
        let digest = Digest {
            hash: [field(0), field(1)],
            len: field(2),
        };
        // Believed only while the file is as it was when stamped.
        (encode(digest, &meta) == buf && meta.len() == digest.len).then_some(digest)
    }

    pub fn write_path(path: &Path, digest: Digest) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return;
        };
        if !meta.is_file() {
            return;
        }
        let stamp = encode(digest, &meta);
        // SAFETY: both strings are NUL-terminated; `stamp` holds SIZE bytes.
        unsafe {
            libc::lsetxattr(c.as_ptr(), NAME.as_ptr(), stamp.as_ptr().cast(), SIZE, 0);
        }
    }

    pub fn write(file: &std::fs::File, digest: Digest) {
        let Ok(meta) = file.metadata() else {
            return;
        };
        let stamp = encode(digest, &meta);
        // SAFETY: the name is NUL-terminated; `stamp` holds SIZE bytes.
        unsafe {
            libc::fsetxattr(
                file.as_raw_fd(),
                NAME.as_ptr(),
                stamp.as_ptr().cast(),
                SIZE,
                0,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::Digest;
    use std::path::Path;

    pub fn read(_: &Path) -> Option<Digest> {
        None
    }

    pub fn write(_: &std::fs::File, _: Digest) {}

    pub fn write_path(_: &Path, _: Digest) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_any_size_hash_as_the_whole() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = digest(&bytes);
        for piece in [1, 100, BLOCK - 1, BLOCK, BLOCK + 3, 150_000] {
            let mut h = Hasher::default();
            for chunk in bytes.chunks(piece) {
                h.update(chunk);
            }
            assert_eq!(h.finish(), whole, "pieces of {piece}");
        }
        let mut other = bytes.clone();
        other[199_999] ^= 1;
        assert_ne!(digest(&other), whole);
        assert_ne!(digest(&bytes[..BLOCK]), digest(&bytes[..BLOCK + 1]));
    }

    /// A stamp is believed until the file is written again.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_stamp_vouches_only_for_the_file_it_was_made_on() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"one").unwrap();
        write(&file, digest(b"one"));
        drop(file);
        if read(&path).is_none() {
            // This file system keeps no user attributes: nothing to test.
            return;
        }
        assert_eq!(read(&path), Some(digest(b"one")));
        // Same length, another time: an editor's change is not vouched for.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .write_all(b"two")
            .unwrap();
        assert_eq!(read(&path), None);
    }
}
