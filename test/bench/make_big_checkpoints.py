"""Writes GPT-2-small-shaped checkpoints (12 layers, d = 768, about 500 MB each) for the checkpoint
bench into the folder given: torch.save zip and legacy, np.savez. Not committed; made at bench time.
Run: /usr/bin/python3 make_big_checkpoints.py FOLDER   (torch 1.13 and NumPy)
"""
import collections, os, sys
import numpy as np
import torch

folder = sys.argv[1]
D, LAYERS = 768, 12
state = collections.OrderedDict()
state['wte.weight'] = torch.zeros(50257, D)
state['wpe.weight'] = torch.zeros(1024, D)
for k in range(LAYERS):
    p = f'h.{k}.'
    state[p + 'ln_1.weight'] = torch.ones(D); state[p + 'ln_1.bias'] = torch.zeros(D)
    state[p + 'attn.c_attn.weight'] = torch.full((D, 3 * D), float(k)); state[p + 'attn.c_attn.bias'] = torch.zeros(3 * D)
    state[p + 'attn.c_proj.weight'] = torch.zeros(D, D); state[p + 'attn.c_proj.bias'] = torch.zeros(D)
    state[p + 'ln_2.weight'] = torch.ones(D); state[p + 'ln_2.bias'] = torch.zeros(D)
    state[p + 'mlp.c_fc.weight'] = torch.zeros(D, 4 * D); state[p + 'mlp.c_fc.bias'] = torch.zeros(4 * D)
    state[p + 'mlp.c_proj.weight'] = torch.zeros(4 * D, D); state[p + 'mlp.c_proj.bias'] = torch.zeros(D)
state['ln_f.weight'] = torch.ones(D); state['ln_f.bias'] = torch.zeros(D)
torch.save(state, os.path.join(folder, 'big.pt'))
torch.save(state, os.path.join(folder, 'big-legacy.pt'), _use_new_zipfile_serialization=False)
np.savez(os.path.join(folder, 'big.npz'), **{k: v.numpy() for k, v in state.items()})
