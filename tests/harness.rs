//! The tests' own terminal: what it reads is what a terminal would show.

mod support;

use support::terminal::whole_characters;

#[test]
fn a_character_cut_in_two_is_held_for_the_next_read() {
    assert_eq!(whole_characters(b"abc"), 3);
    let bar = "┃".as_bytes();
    assert_eq!(whole_characters(&[b'a', bar[0]]), 1);
    assert_eq!(whole_characters(&[b'a', bar[0], bar[1]]), 1);
    assert_eq!(whole_characters(&[b'a', bar[0], bar[1], bar[2]]), 4);
    assert_eq!(whole_characters("é".as_bytes()), 2);
    assert_eq!(whole_characters(b""), 0);
}
