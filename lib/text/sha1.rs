//! SHA-1 (FIPS 180-4), used only for HyperHerd's trial hash: the first 12 hex
//! digits of the SHA-1 of the trial's sorted compact JSON (spec 5.1). Not for
//! anything security-related; SHA-1 is what the reference uses, so herd must too.

/// Lowercase hex SHA-1 digest of `data` (40 characters), as Python's
/// `hashlib.sha1(data).hexdigest()`.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    sha1_hex_with(data, compress_blocks)
}

/// The SHA-1 digest of `data`.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (bytes, w) in out.chunks_exact_mut(4).zip(digest(data, compress_blocks)) {
        bytes.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// [`sha1_hex`] with a given compression over whole 64-byte blocks.
fn sha1_hex_with(data: &[u8], compress: fn(&mut [u32; 5], &[u8])) -> String {
    let state = digest(data, compress);
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(40);
    for byte in state.iter().flat_map(|w| w.to_be_bytes()) {
        hex.push(DIGITS[usize::from(byte >> 4)] as char);
        hex.push(DIGITS[usize::from(byte & 15)] as char);
    }
    hex
}

/// The digest of `data` as five words, with a given compression.
fn digest(data: &[u8], compress: fn(&mut [u32; 5], &[u8])) -> [u32; 5] {
    let mut state: [u32; 5] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    let whole = data.len() / 64 * 64;
    compress(&mut state, &data[..whole]);
    // Padding: 0x80, zeros, then the message length in bits (big-endian u64),
    // spilling into a second block when fewer than 9 bytes are left.
    let rest = &data[whole..];
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let tail_len = if rest.len() < 56 { 64 } else { 128 };
    let bit_len = (data.len() as u64).wrapping_mul(8);
    tail[tail_len - 8..tail_len].copy_from_slice(&bit_len.to_be_bytes());
    compress(&mut state, &tail[..tail_len]);
    state
}

/// Compress whole 64-byte blocks into `state`: with the CPU's SHA instructions when
/// it has them (x86-64 SHA-NI: a trial hash is ~10x cheaper, and `herd-expand` hashes
/// every trial), else in portable code.
fn compress_blocks(state: &mut [u32; 5], blocks: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
        {
            // SAFETY: the features the function is compiled for were detected above.
            unsafe { ni::compress_blocks(state, blocks) };
            return;
        }
    }
    portable_blocks(state, blocks);
}

fn portable_blocks(state: &mut [u32; 5], blocks: &[u8]) {
    for block in blocks.chunks_exact(64) {
        compress(state, block);
    }
}

/// SHA-1 with the x86 SHA extensions (Intel's published instruction sequence, the
/// twenty four-round groups written out by a macro).
#[cfg(target_arch = "x86_64")]
mod ni {
    use std::arch::x86_64::*;

    // The last groups also compute schedule words no later group reads, as the
    // loop this was written from did; the compiler drops them.
    #[allow(unused_assignments)]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn compress_blocks(state: &mut [u32; 5], blocks: &[u8]) {
        let mask = _mm_set_epi64x(0x0001_0203_0405_0607, 0x0809_0a0b_0c0d_0e0f);
        // SAFETY: state has 5 u32s; the first four are read as one 16-byte load.
        let mut abcd = _mm_loadu_si128(state.as_ptr().cast());
        abcd = _mm_shuffle_epi32(abcd, 0x1B);
        let mut e0 = _mm_set_epi32(state[4] as i32, 0, 0, 0);
        for block in blocks.chunks_exact(64) {
            let (abcd_save, e0_save) = (abcd, e0);
            let load = |k: usize| {
                // SAFETY: the block has 64 bytes; k < 4.
                _mm_shuffle_epi8(_mm_loadu_si128(block.as_ptr().add(16 * k).cast()), mask)
            };
            let mut m = [load(0), load(1), load(2), load(3)];
            let mut e1 = _mm_setzero_si128();
            // One group of four rounds. Written out for each group (not a loop over
            // them): the size-optimised build does not unroll loops, and unrolled,
            // `m` lives in registers and no group branches.
            macro_rules! group {
                ($($g:literal)*) => {$({
                    let w = m[$g % 4];
                    // The E values alternate between e0 and e1 from group to group.
                    let e = if $g == 0 {
                        e0 = _mm_add_epi32(e0, w);
                        e1 = abcd;
                        e0
                    } else if $g % 2 == 1 {
                        e1 = _mm_sha1nexte_epu32(e1, w);
                        e0 = abcd;
                        e1
                    } else {
                        e0 = _mm_sha1nexte_epu32(e0, w);
                        e1 = abcd;
                        e0
                    };
                    abcd = _mm_sha1rnds4_epu32::<{ $g / 5 }>(abcd, e);
                    // The message schedule, four words at a time.
                    if $g >= 3 {
                        m[($g + 1) % 4] = _mm_sha1msg2_epu32(m[($g + 1) % 4], w);
                    }
                    if $g >= 1 {
                        m[($g + 3) % 4] = _mm_sha1msg1_epu32(m[($g + 3) % 4], w);
                    }
                    if $g >= 2 {
                        m[($g + 2) % 4] = _mm_xor_si128(m[($g + 2) % 4], w);
                    }
                })*};
            }
            group!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);
            e0 = _mm_sha1nexte_epu32(e0, e0_save);
            abcd = _mm_add_epi32(abcd, abcd_save);
        }
        abcd = _mm_shuffle_epi32(abcd, 0x1B);
        // SAFETY: as for the load.
        _mm_storeu_si128(state.as_mut_ptr().cast(), abcd);
        state[4] = _mm_extract_epi32(e0, 3) as u32;
    }
}

/// One SHA-1 compression of a 64-byte block into `state`.
fn compress(state: &mut [u32; 5], block: &[u8]) {
    let mut w = [0u32; 80];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    for t in 16..80 {
        w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for (t, &wt) in w.iter().enumerate() {
        let (f, k) = match t {
            0..=19 => ((b & c) | (!b & d), 0x5a827999),
            20..=39 => (b ^ c ^ d, 0x6ed9eba1),
            40..=59 => ((b & c) | (b & d) | (c & d), 0x8f1bbcdc),
            _ => (b ^ c ^ d, 0xca62c1d6),
        };
        let temp = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(wt);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *s = s.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_vectors() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            sha1_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            sha1_hex(
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                  hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ),
            "a49b2446a02c645bf419f995b67091253a04a259"
        );
        assert_eq!(
            sha1_hex(&vec![b'a'; 1_000_000]),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn the_digest_is_the_hex_digest() {
        let hex: String = sha1(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, sha1_hex(b"abc"));
    }

    #[test]
    fn trial_hash_example() {
        // Spec 5.1: hash of {"lr": 0.1} with no extras is 60628230bff2.
        let blob = br#"{"extras": {}, "params": {"lr": 0.1}}"#;
        assert_eq!(&sha1_hex(blob)[..12], "60628230bff2");
    }

    #[test]
    fn random_inputs_match_hashlib() {
        for &(data_hex, want) in RANDOM {
            let data: Vec<u8> = (0..data_hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&data_hex[i..i + 2], 16).unwrap())
                .collect();
            assert_eq!(sha1_hex(&data), want, "{} bytes", data.len());
            // Both implementations, whichever this CPU would pick.
            assert_eq!(sha1_hex_with(&data, portable_blocks), want);
        }
    }

    #[test]
    fn the_sha_instructions_and_the_portable_code_agree() {
        let mut rng = crate::testrng::XorShift(99);
        for len in 0..700 {
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            assert_eq!(
                sha1_hex(&data),
                sha1_hex_with(&data, portable_blocks),
                "{len} bytes"
            );
        }
    }

    /// `(data as hex, hashlib.sha1(data).hexdigest())` from CPython 3.11; the
    /// lengths straddle the 55/56/64-byte padding boundaries.
    const RANDOM: &[(&str, &str)] = &[
        ("79", "95cb0bfd2977c761298d9624e4b4d4c72a39974a"),
        ("42bd", "d8cecdd4bc79c3020b289314afe01b8fcd86e840"),
        ("f22106", "7159d6baaf1d16b8f92b63b65acdd0fcb5b0223b"),
        ("f0847762f0f3cb4d764dc7072051159a0f89f2c6dacae344bb311245fd6f84df9ad7c5b3d076ac0e8f53a7356c88913f20f6f72db022", "500424ff845b6bcf079a6ca44440c2852d03978d"),
        ("d24d0a96dad43c1617c1a98e78129e0327371065d095864f15ada0b846c1c0ebc5348adc799adf849bad05d4a10ac0441eaaeeb4b48efa", "b17ea7bf355f07e23140f82c3d0a5f3b215af665"),
        ("0b1f0abd80e998a35aba5ea0bd8799c1350d439e71897aa75fde3134a4aa72e05628ac6fe68a733d1161a15d8eae2bb042d7958aedb1d594", "4209a13c3fab05211f5765703da481c3f1c5ca2c"),
        ("d6d112d34f6602f4de7110e993ae7422923d7d171165dc1906f63d57997a0ad31b3aae4081f41fb471653e3d577a8c4103f9cc198a7f89d81a", "19d94f58605609a7fd95f55fe849ff7349270648"),
        ("f2a5001c40173f1923f7102cfaa150a124b3c5c79bb88761a8db3f4101c2285b15bfebc216dc1bbefea1d7d6eb097d6f8a24d972da420ea6bf863eed3fc037", "99e853155dc44dbc76d8df16792599e8586e140f"),
        ("a33402f24978c7162f32c05b0cae3e0d3af691992d127a36331fa65c277b5c7fe8c981bccbb3d62ac078d352d4f74fcd4c5331fef7e25f4588654ba17697d388", "bac0cc6c571f4577dfa4a39d1e4532cc28f4733b"),
        ("6f9d0b89f5c36658b87aa4f749d6f569ef0ef625cc17ef7578236f827b6184465f12825617a05dd82e2b3c2f879512b6e7ac030faba9dfc2f8276bfac840a33d8c", "4ebfa9df754176fe14b7ff0472c7e0de727358ce"),
        ("27dd39e08031bfbce6978736ad3afcb41e965d4c5bbde83f3748a9d7995feaf69f5a23365cc8b733888ac41b4515f58a7eb5aacee523b4fe394d8a3339395e60d5c8414acb63575b6780bd960fe3d0c4a19efe99f70f61013777fb58eb65636c12e33991", "47f489ccb99334915f41854e09577a81c01ffdb0"),
        ("4e45ef2d190db87727ff09ada5a8b044291128af692066df71f8a13715d1276652c8fef222d86afa9b0bedeacde05ce91383bbbde5b9cd72016b84bd49eb63516b0b57ce560e473856e2fb5e1e0bcee5a2d0101a7ace14cbfc0d707b30c7f26154aa3bb13f1a948cee99fa7f880facb0a22f1dde2d0135", "364af137014d212ac8e22b6c74c8ee55533e3d8e"),
        ("0f2e095712f61b60a966f4aef5b311c39cc92c965ed33ac7abce59c5b75eb9d4e075e3f6b08956c6f9154e570bef2f31a3791c18e6eeaabd002463cc35ad9f38e6296b7b184e49053975936a70d6a360ef5a2815390c3366822b37eecc7237f8b1cee43895e3c2693b03ed9927aeb162f824bad8226d7fb3", "c47571810547839b61778a5cbe1087371aa46183"),
        ("1fab78dce02b806fa554696fedd6bc61d1f7d0f01195095e310e4d961ff114636a8dfbdd13b0ef64934934e399d2e327694ef991c0be52dc9fedf271b893920fedbfb7987c0507434c0a54190068eeb5b911fa5e7a068dddad1a30e69f867effd685ad160fdb13547e45d3ac448f08561708f81eebefd4bd57965d254734d0", "0958dd837595c1793b7641d14a70b5867e384f5c"),
        ("b4e3e88e82e7904fa14713d2f876ea8b0fa23bf9408f8934de26be11f9e5639fb15cc4cba1198a6d13a2a2c8901243d580d328fd7566283a3f029023dc89f7ec8994185978f956494c5befcb0448c81b5c5a9f61424b184d6dc336ddc75d0d8f35433a4a9740c4b4276203bd48f47d20b5f835a0f20ab0e2d0ed9ce24ce9c466", "6268de90b9763cb93a971b9302f72e0528d5918c"),
        ("975b9955a28867421b1dd15b3a07503ecebf8c2fede1a64a6fa5e9bfa2b7b0ae92988a5d3f71ae7f90de88e742f4ab5ae21a23d5d9951e79c3c46c26bb6d1cfc3cdcc7b90699bebdcce0be35fd4aa57000bd200047296ba4de90640f0ea0e3ba6de1ad3dc173f3479d92613c582bdc0eb3c303fa5ef28c47c768dd98df92312a20", "0b063138668ec5524cb84e5417185f7459b32047"),
        ("e2a42104a6f5d830a9d673a567c82d1a0d7a2b5c76f0ca91b0e9746798af44bab5a168e41edd9f63fc6e5e35e93dcb6ca15f13a7ff7ec41d79cdbbc7725a9180b0861bae386a709be258567df76b6eba7659c9d95a9ae2bf1c28eafa095a89d6fd71c7f8b1cff75b3ad6ad49a437b24b98f44de4bffc15b1672f9b93a5d29505d8b3d8f5bd5c7f9760c538a552a3f858c9ee64d1bb361cf66754553d333cc6a1cb8c21f58da075853c6c38f4bede4b86bd5f8766727e84b1af3632452a73eaaa3aa7485415fb8944", "08184e5b59226120b256fc7b8653db81520aa245"),
        ("bee1dbdadc83978bc64e171057dc006c436abe8316b7673c516f25f8db934c3bac5284462c284630032ac8e9e2865a012390d4570310aca7b934166cc605e3a772e1e77902b06e7550d4c831caa13a7c94310ccf0dad7264e887c36bda9d205be733914be0409d5673bb973e25ff22f57ed40a050bf2021df50618b0979cf1fb999c439e2dcf163a62792a51c847542a9a03fd22b9ff2bd7aac8deeeaf0ea59cf684f28369b73186f5d7f467ac1d7a18cd7bc55ca3325be782dcd7aec1dc14bac9bac88b704674640fd335cdf4f4c1dd66f2ca1d520b633146ca3b3e356d9641d8de4a506ed8fea1e20e8209afa2c56d3e90652b69c77c71aa752faa9b6e6acb00987a4a8e2480b068944fb06e663be8da801cca879366e6689fb22d36d7ccb079803f3e0c58a3b05672a7183aa222d0ab940af9e2e056f7003d57bdf58ec365ebc0f2b9bb05a8f5fde705f1259c5f773a585985a028b90271aa071bc25436e7b2f804ebde29372e2b67358f2aaa0e6b19e1133f6da7e39ba40762076fde41b2e3d2f1459b90277754aae0c77ba295acb05797be255ec59be9cfdc6e33b303bae11cea80fdfb62982c25f8e2ca5467864486005b6679e83c94bc623300a6e19afa16a3965bebfe9ff3af7b206712ba25b1035b13f250a73057ba7af31f0575a348927fb2b2c04ce8dbcf1dedce0b2988d69cba3f045c30d016cad87f27de1587bc5edbb2d30a77b677c4bdb5935174ba007d50f8866346f2e254cf82c3c82f69c1366bb9b6849bc1de4eb02692a48e6362cb6d6e77bf86e57e3c3809d3109f9fb640438358f2c5857a52f52a63b506f91ed7dd3bc8a1d29ab5cd27ed632481e03a872278b28e7ea5d01926004b64733666b5562c56cae90b35a56ac3d47137172d229b645de35e2cb325f84e487973f88ecf1f7699b52358510de53879375844a16cd90c962de07feb793dcf5273883240efd10dc53a78d6542d27f20f5979a5aaf0eb952737b71f0ab7a112225b843d0d90f003d7c41980af4fb46822a499c24fc7832a6dfa2ec79c24a17e6371c9ed94494e017b58e8bed4cbe09acfc29b28a13628c5d885ed983176e8f75337c2fd6ce0980a93952546601515f4d2c6c0dc074e02c0d2e6357d5a5abf39b4b10c9eb9198efba80168c11281032a7fa4f323f4cb03c0099ae745ce7e4ede3022253b7e097ea5a0e417d37326ae39f37cc359a157b7beaa335be22baf5ab3732f42f09bed9432cb216235257b80a1675857384f64afa5792658cc057d8f9e18bee8bdaa9bace132ad6385f773e49c65bb36f33bfe5dad4c19aa1f8c01789bbd855be3414ca1ba6e9ea4d929d5773f82374608f9e084a4906a92cc27083cda2d4a52e77b8ba8db1dc97a05c08c908250b409712858406e26d504e2", "9d91d24458db4d1b3e37735f77e17df8bdd91635"),
    ];
}
