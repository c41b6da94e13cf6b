//! What the lesson text is made of, as far as labrun needs to know without
//! drawing it: headings (steps point at them) and images (assets to find).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// 1-based line within the text that was parsed.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub alt: String,
    pub url: String,
    pub line: usize,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outline {
    pub headings: Vec<Heading>,
    pub images: Vec<Image>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

pub fn outline(markdown: &str) -> Outline {
    let mut outline = Outline::default();
    // Text collected for the heading or image being read, with where it began.
    let mut open: Option<(usize, String)> = None;
    let lines = super::LineIndex::new(markdown);
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let line = lines.line(range.start);
        match event {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::Image { .. }) => {
                open = Some((line, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = open.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((line, text)) = open.take() {
                    outline.headings.push(Heading {
                        level: level_number(level),
                        text,
                        line,
                    });
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((line, alt)) = open.take() {
                    outline.images.push(Image {
                        alt,
                        url: String::new(),
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    // The image URL is only on the Start event; read it in a second, cheap pass.
    let urls = Parser::new_ext(markdown, options()).filter_map(|e| match e {
        Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.to_string()),
        _ => None,
    });
    for (image, url) in outline.images.iter_mut().zip(urls) {
        image.url = url;
    }
    outline
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_setext_and_atx_headings_and_images() {
        let md = "Intro\n=====\n\ntext ![Alt text](../assets/a.png)\n\n### Sub `code`\n";
        let o = outline(md);
        assert_eq!(
            o.headings[0],
            Heading {
                level: 1,
                text: "Intro".into(),
                line: 1
            }
        );
        assert_eq!(
            o.headings[1],
            Heading {
                level: 3,
                text: "Sub code".into(),
                line: 6
            }
        );
        assert_eq!(
            o.images,
            [Image {
                alt: "Alt text".into(),
                url: "../assets/a.png".into(),
                line: 4
            }]
        );
    }
}
