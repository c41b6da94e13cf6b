//! `cargo bench --bench render`: one frame of the full lab at 200×60 (lesson,
//! steps, a shell screen full of text) into ratatui's TestBackend, next to a
//! frame of one empty bordered block as the floor; and wrapping the bundled
//! lesson for a width, which the app does once per width or content change
//! (never per frame).

use criterion::{Criterion, criterion_group, criterion_main};
use labrun::lesson::{Lesson, Vars, bundled};
use labrun::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Block;
use tui_term::vt100;

fn bench(c: &mut Criterion) {
    let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
    let cli = [(
        "REPLICATED_APP".to_string(),
        "slackernews-bench".to_string(),
    )];
    let vars = Vars::resolve(&lesson.variables, &cli, |_| None, &Default::default());
    let app = App::new(&lesson, vars, (200, 60));
    let (rows, cols) = app.shell_size();
    let mut parser = vt100::Parser::new(rows, cols, 1000);
    for i in 0..2000 {
        parser.process(
            format!(
                "\x1b[3{}mline {i} of output \x1b[0mwith some plain text after it\r\n",
                i % 8
            )
            .as_bytes(),
        );
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();

    let mut group = c.benchmark_group("render");
    group.bench_function("full lab 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| labrun::tui::ui::render(f, &app, parser.screen()))
                .unwrap();
        })
    });
    group.bench_function("floor: one empty block 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| f.render_widget(Block::bordered(), f.area()))
                .unwrap();
        })
    });
    group.bench_function("wrap the bundled lesson to 60 columns", |b| {
        b.iter(|| labrun::tui::lesson::wrap(std::hint::black_box(&app.doc), 60, None))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
