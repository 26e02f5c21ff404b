"""Model loading. Every heavy import (torch, transformers, ctranslate2, sentence_transformers)
happens inside these modules, on first use."""
