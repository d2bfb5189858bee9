-- Centers that stop operating, and the letterheads of printed documents.

-- A center that no longer operates takes no new requests; published sessions of its classes
-- are listed for re-planning.
ALTER TABLE center ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- What a printed document of the province board (district_id NULL) or of a unit's board
-- carries in the Party's layout: the committee and the board at the top left, the place
-- before the date, "Nơi nhận" and the signature block. The province board keeps them.
CREATE TABLE letterhead (
    letterhead_id    INTEGER PRIMARY KEY,
    district_id      INTEGER UNIQUE REFERENCES district (district_id),
    committee        TEXT NOT NULL,
    board            TEXT NOT NULL,
    place            TEXT NOT NULL,
    recipients       TEXT NOT NULL,
    signer_authority TEXT NOT NULL,
    signer_title     TEXT NOT NULL,
    signer_name      TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- One letterhead of the province board.
CREATE UNIQUE INDEX letterhead_province ON letterhead ((district_id IS NULL)) WHERE district_id IS NULL;
