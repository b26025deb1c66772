-- FTS5 writes its pending search entries out as a new segment whenever
-- they pass 'hashsize' (1 MB by default): an import's batch of 10,000
-- enterprises (about 16 tokens each) made four segments, and merging them
-- was most of the time spent in the search index (BENCHMARKS.md, issue 3).
-- With 8 MB a batch makes one. The pending entries are held only until the
-- statement or transaction ends, so small writes are unaffected.
INSERT INTO enterprise_search (enterprise_search, rank) VALUES ('hashsize', 8388608);
