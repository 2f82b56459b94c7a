/** The chat models a person may pick (the catalog's, without embedding models), plus auto. */
import { useQuery } from '@tanstack/react-query';
import { api } from './api';

export function useChatModels() {
  return useQuery({
    queryKey: ['chat-models'],
    queryFn: async () => [{ id: 'auto' }, ...(await api<{ models: Array<{ id: string }> }>('GET', '/api/models')).models.map((m) => ({ id: m.id }))],
  });
}
