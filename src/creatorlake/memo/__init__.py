"""The product memo: gold tables -> facts (numbers with their source table) -> rules -> Markdown/HTML and charts."""
