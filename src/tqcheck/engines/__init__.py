"""Batch engines: each turns a list of :class:`~tqcheck.batch.BatchItem` into a stream of
:class:`~tqcheck.batch.ChunkOutput` (one per document, any order). ``local`` runs in this process;
``ray`` runs the same :func:`~tqcheck.batch.check_chunk` in Ray Data actors that hold the models.
The driver (:func:`tqcheck.batch.run_batch`) persists each output as it arrives."""
