import torch
import torch.nn as nn
import torch.nn.functional as F


class LSTMTagger(nn.Module):
    """
    A part-of-speech tagger in the style of the classic PyTorch sequence-model tutorial:
    word embeddings feed a bidirectional, batch-first LSTM, and a linear layer scores
    every tag per word (``log_softmax`` over the tags). The whole LSTM is one
    ``aten.lstm.input`` node taking the flat list of weights; the initial hidden and
    cell states the module creates are ``aten.zeros`` nodes, and the node's three
    results are read back with ``getitem``.
    """

    def __init__(self, vocab_size=50, embedding_dim=12, hidden_dim=8, tagset_size=6):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True, bidirectional=True)
        self.hidden2tag = nn.Linear(2 * hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds)
        tag_space = self.hidden2tag(lstm_out)
        return F.log_softmax(tag_space, dim=-1)


example_args = (torch.randint(0, 50, (2, 7)),)
tags = {"torch.nn-model"}
model = LSTMTagger().eval()
