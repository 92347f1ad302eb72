//! Edit distance between two short strings, for "did you mean" suggestions.

/// The optimal-string-alignment distance: insertions, deletions, substitutions and
/// swaps of two adjacent characters each cost 1 ("stauts" → "status" is 1, where plain
/// Levenshtein says 2). Counted in chars; meant for names and keys, quadratic in their
/// lengths.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two back (for swaps), the previous one, the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            row[j] = v;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn counts_edits_and_adjacent_swaps() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("stauts", "status"), 1);
        assert_eq!(edit_distance("sttus", "status"), 1);
        assert_eq!(edit_distance("", "ls"), 2);
        assert_eq!(edit_distance("ls", ""), 2);
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("mem", "mem"), 0);
        // A swap is one edit only between neighbours, and each character is edited once.
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
    }
}
