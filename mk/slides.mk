# The Marp decks, slides/NN-name.md, rendered to $(BUILD)/slides/ (index.html links them).
# Marp CLI is pinned in slides/package.json; tools/render-slides runs `npm ci` in slides/
# when it is missing. PDFs and the test need Debian's chromium.
#
#   make slides                     HTML (no browser, no network)
#   make slides-pdf                 HTML and PDF
#   make test-slides                check in headless chromium that every deck shows all
#                                   its slides (TAP); SCREENSHOTS=DIR saves DIR/NN-name.png

.PHONY: slides slides-pdf test-slides

slides:
	BUILD=$(BUILD) tools/render-slides

slides-pdf:
	BUILD=$(BUILD) tools/render-slides --pdf

test-slides:
	BUILD=$(BUILD) tools/test-slides $(if $(SCREENSHOTS),--screenshot $(SCREENSHOTS))
