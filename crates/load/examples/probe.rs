use kcheck_load::{parse_documents, Limits};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let p = parse_documents(&text, &Limits::default());
    for e in &p.errors { println!("ERR {} {}", e.pos, e.message.en); }
    for d in &p.documents { match d { kcheck_load::DocOutcome::Node(n) => println!("{}", n.to_json()), o => println!("{o:?}") } }
}
