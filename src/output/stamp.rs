//! What a build wrote into a file, kept beside its bytes.
//!
//! A build over the spare tree keeps a file that already holds what it would
//! write (see [`super::Staging`]). Asking the old file's bytes means reading
//! the old tree back, from disk once the page cache has let it go: a third
//! of a 100,000-provision rebuild (about 30 of 100 s on this machine). So
//! each file gazette writes carries a stamp in its extended attribute
//! `user.gazette` (Linux only): the XXH3-128 hash of its contents, their
//! length, and the file's modification time once written. A stamp is
//! believed only while the file still has that length and time (an
//! editor's change moves them; one that puts the time back is not seen) and
//! no other hard link; a file without one (a file system without user
//! attributes, a build before stamps) is compared byte by byte, as before.

use std::path::Path;

/// A file's contents, as far as a stamp tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// XXH3-128: specified, and the same on every platform and version.
    hash: u128,
    len: u64,
}

/// Hashes bytes given in pieces of any size.
pub struct Hasher {
    xxh3: Box<xxhash_rust::xxh3::Xxh3Default>,
    len: u64,
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher {
            xxh3: Box::new(xxhash_rust::xxh3::Xxh3Default::new()),
            len: 0,
        }
    }
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        self.xxh3.update(bytes);
    }

    pub fn finish(self) -> Digest {
        Digest {
            hash: self.xxh3.digest128(),
            len: self.len,
        }
    }
}

pub fn digest(bytes: &[u8]) -> Digest {
    Digest {
        hash: xxhash_rust::xxh3::xxh3_128(bytes),
        len: bytes.len() as u64,
    }
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
    /// The stamp's format: another one is not believed.
    const VERSION: u8 = 1;
    /// The version, then the hash (16 bytes), the length, and the
    /// modification time's seconds and nanoseconds (8 bytes each).
    const SIZE: usize = 41;

    /// The stamp's bytes for `digest` on a file of `meta`.
    fn encode(digest: Digest, meta: &std::fs::Metadata) -> [u8; SIZE] {
        let mut out = [0; SIZE];
        out[0] = VERSION;
        out[1..17].copy_from_slice(&digest.hash.to_le_bytes());
        let fields = [digest.len, meta.mtime() as u64, meta.mtime_nsec() as u64];
        for (chunk, field) in out[17..].chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        out
    }

    /// Whether the file's stamp may be believed or set: a regular file not
    /// linked from elsewhere (a snapshot of an earlier site is not written
    /// through, not even its attributes).
    fn stampable(meta: &std::fs::Metadata) -> bool {
        meta.is_file() && meta.nlink() == 1
    }

    pub fn read(path: &Path) -> Option<Digest> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !stampable(&meta) {
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
        let mut hash = [0; 16];
        hash.copy_from_slice(&buf[1..17]);
        let mut len = [0; 8];
        len.copy_from_slice(&buf[17..25]);
        let digest = Digest {
            hash: u128::from_le_bytes(hash),
            len: u64::from_le_bytes(len),
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
        if !stampable(&meta) {
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

/// Overwrite the start of the file at `path` with `bytes` in place, as an
/// editor would, and move its modification time on by a second (a coarse
/// clock may not have ticked since it was written).
#[cfg(test)]
pub fn edit_in_place(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut edited = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    edited.write_all(bytes).unwrap();
    let time = edited.metadata().unwrap().modified().unwrap();
    edited
        .set_modified(time + std::time::Duration::from_secs(1))
        .unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_any_size_hash_as_the_whole() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = digest(&bytes);
        for piece in [1, 100, 65_535, 65_536, 65_539, 150_000] {
            let mut h = Hasher::default();
            for chunk in bytes.chunks(piece) {
                h.update(chunk);
            }
            assert_eq!(h.finish(), whole, "pieces of {piece}");
        }
        let mut other = bytes.clone();
        other[199_999] ^= 1;
        assert_ne!(digest(&other), whole);
        assert_ne!(digest(&bytes[..1000]), digest(&bytes[..1001]));
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
        edit_in_place(&path, b"two");
        assert_eq!(read(&path), None);

        // A file linked from elsewhere (a snapshot) is neither believed
        // nor stamped.
        write_path(&path, digest(b"two"));
        assert_eq!(read(&path), Some(digest(b"two")));
        std::fs::hard_link(&path, tmp.path().join("snapshot")).unwrap();
        assert_eq!(read(&path), None);
        let other = tmp.path().join("g");
        std::fs::write(&other, b"three").unwrap();
        std::fs::hard_link(&other, tmp.path().join("snapshot-g")).unwrap();
        write_path(&other, digest(b"three"));
        std::fs::remove_file(tmp.path().join("snapshot-g")).unwrap();
        assert_eq!(read(&other), None, "not stamped while linked");
    }
}
