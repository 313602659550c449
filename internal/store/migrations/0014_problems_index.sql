-- The Status page's recent problems (recent-failures): rows that failed
-- and rows waiting to be tried again after an error, newest first. Without
-- an index of their own the query read the whole queue backwards to find
-- twenty: 200 ms a page at a million customers. The index holds only
-- those rows, so it stays small and costs the other writes nothing.
CREATE INDEX messages_problems ON messages(id)
    WHERE state = 'failed' OR (state = 'pending' AND error != '');
